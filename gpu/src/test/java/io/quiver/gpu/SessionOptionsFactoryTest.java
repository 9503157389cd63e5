package io.quiver.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import org.junit.jupiter.api.Test;

class SessionOptionsFactoryTest {
    @Test
    void cpuPlacementRunsBothTinyGraphs() throws OrtException {
        assertArrayEquals(TinyGraphs.ADD_EXPECTED, TinyGraphs.runAdd(Placement.CPU));
        assertArrayEquals(TinyGraphs.CONV_EXPECTED, TinyGraphs.runConv(Placement.CPU));
    }

    @Test
    void cpuSessionsDoNotBusyWaitBetweenRuns() throws OrtException {
        try (var options = SessionOptionsFactory.create(Placement.CPU, false)) {
            assertEquals("0", options.getConfigEntries().get("session.intra_op.allow_spinning"));
        }
    }

    @Test
    void gpuPlacementOnThisBuildEitherAddsCudaOrSaysWhatToBuild() {
        Placement gpu = new Placement(0, 1L << 30);
        if (OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            // The -Pgpu build: appending the provider needs the CUDA libraries; the gpu-tagged smoke test runs it.
            try {
                SessionOptionsFactory.create(gpu, true).close();
            } catch (OrtException e) {
                assertTrue(e.getMessage().contains("CUDA 12 and cuDNN 9"), e.getMessage());
            }
            return;
        }
        OrtException e = assertThrows(OrtException.class, () -> SessionOptionsFactory.create(gpu, false));
        assertTrue(e.getMessage().startsWith("This ONNX Runtime build has no CUDA execution provider"), e.getMessage());
        assertTrue(e.getMessage().contains("build Quiver with -Pgpu (onnxruntime_gpu)"), e.getMessage());
    }
}
