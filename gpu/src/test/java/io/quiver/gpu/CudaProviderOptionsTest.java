package io.quiver.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CudaProviderOptionsTest {
    @Test
    void transformerGraphsKeepTheDefaultConvSearch() {
        Map<String, String> options = CudaProviderOptions.forPlacement(new Placement(1, 3L << 30), false);
        assertEquals(Map.of("device_id", "1", "gpu_mem_limit", "3221225472",
                "arena_extend_strategy", "kSameAsRequested"), options);
    }

    @Test
    void convolutionalGraphsUseHeuristicSearch() {
        Map<String, String> options = CudaProviderOptions.forPlacement(new Placement(0, 1L << 30), true);
        assertEquals(List.of("device_id", "gpu_mem_limit", "arena_extend_strategy", "cudnn_conv_algo_search"),
                List.copyOf(options.keySet()));
        assertEquals("HEURISTIC", options.get("cudnn_conv_algo_search"));
    }

    @Test
    void noLimitWithoutABudget() {
        assertEquals(Map.of("device_id", "0", "arena_extend_strategy", "kSameAsRequested"),
                CudaProviderOptions.forPlacement(new Placement(0, 0), false));
    }

    @Test
    void cpuPlacementHasNoCudaOptions() {
        assertThrows(IllegalArgumentException.class, () -> CudaProviderOptions.forPlacement(Placement.CPU, false));
    }

    @Test
    void cpuBuildOfOnnxRuntimeNamesTheGpuBuild() {
        OrtException e = assertThrows(OrtException.class,
                () -> CudaProviderOptions.requireAvailable(EnumSet.of(OrtProvider.CPU)));
        assertTrue(e.getMessage().contains("no CUDA execution provider (available: [CPU])"), e.getMessage());
        assertTrue(e.getMessage().contains("-Pgpu"), e.getMessage());
        assertTrue(e.getMessage().contains("CUDA 12 and cuDNN 9"), e.getMessage());
    }
}
