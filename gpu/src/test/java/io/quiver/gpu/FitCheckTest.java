package io.quiver.gpu;

import static io.quiver.gpu.FakeProbe.GIB;
import static io.quiver.gpu.FakeProbe.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FitCheckTest {
    /** A 4 GiB cGPU share of an A10: budget 4 GiB × 0.90 − 256 MiB ≈ 3.35 GiB. */
    private static final DeviceChoice CGPU = GpuEnvironment.resolve(GpuSettings.DEFAULTS,
            Map.of("ALIYUN_COM_GPU_MEM_CONTAINER", "4", "ALIYUN_COM_GPU_MEM_DEV", "22"),
            FakeProbe.card(4 * GIB, 4 * GIB));
    private static final DeviceChoice HAMI = GpuEnvironment.resolve(GpuSettings.DEFAULTS,
            Map.of("CUDA_DEVICE_MEMORY_LIMIT_0", "4g"), FakeProbe.card(4 * GIB, 4 * GIB));
    private static final MemoryNeed BIG = new MemoryNeed(3 * GIB, 2 * GIB, 512 * MIB);

    @Test
    void needAddsItsParts() {
        assertEquals(5632 * MIB, BIG.totalBytes());
        assertEquals("5.5 GiB (weights 3.0 GiB + KV cache 2.0 GiB + workspace 512.0 MiB)", BIG.describe());
        assertEquals(MemoryNeed.MIN_WORKSPACE_BYTES, MemoryNeed.of(GIB, 0).workspaceBytes());
        assertEquals(800 * MIB, MemoryNeed.of(8000 * MIB, 0).workspaceBytes());
        assertThrows(IllegalArgumentException.class, () -> new MemoryNeed(-1, 0, 0));
    }

    @Test
    void fitsAndBooksTheNeed() {
        FitCheck check = new FitCheck(CGPU, InsufficientMemoryPolicy.FAIL);
        long budget = CGPU.budgetBytes();
        FitResult result = check.admit("embed", new MemoryNeed(GIB, 0, 256 * MIB));

        assertEquals(FitResult.Outcome.FITS, result.outcome());
        assertEquals(new Placement(0, budget), result.placementOrThrow());
        assertEquals(1280 * MIB, check.committedBytes());
        assertEquals(budget - 1280 * MIB, check.remainingBytes());
        // The next model is capped to what is left.
        FitResult second = check.admit("rerank", new MemoryNeed(GIB, 0, 0));
        assertEquals(new Placement(0, budget - 1280 * MIB), second.placement());
    }

    @Test
    void missIsOneLineWithNeedBudgetSourceAndRemedies() {
        FitResult result = new FitCheck(CGPU, InsufficientMemoryPolicy.FAIL).admit("chat", BIG);
        String message = result.message();

        assertEquals(FitResult.Outcome.DOES_NOT_FIT, result.outcome());
        assertFalse(result.ok());
        assertFalse(message.contains("\n"));
        assertTrue(message.startsWith("Model 'chat' does not fit on cuda:0 NVIDIA A10: needs 5.5 GiB (weights "
                + "3.0 GiB + KV cache 2.0 GiB + workspace 512.0 MiB) but the GPU budget is 3.3 GiB = min(4.0 GiB, "
                + "free 4.0 GiB) × 0.90 − 256.0 MiB, from cGPU ALIYUN_COM_GPU_MEM_CONTAINER=4 of "
                + "ALIYUN_COM_GPU_MEM_DEV=22 GiB (isolated: the card shows the share); "), message);
        assertTrue(message.contains("raise the pod's aliyun.com/gpu-mem"), message);
        assertTrue(message.contains("use a smaller or quantized variant"), message);
        assertTrue(message.contains("lower the context length or the batch size"), message);
        assertTrue(message.endsWith("or set quiver.gpu.on-insufficient-memory=cpu"), message);
        GpuPlacementException e = assertThrows(GpuPlacementException.class, result::placementOrThrow);
        assertEquals(message, e.getMessage());
    }

    @Test
    void remedyFollowsTheSource() {
        String hami = new FitCheck(HAMI, InsufficientMemoryPolicy.FAIL).admit("chat", BIG).message();
        assertTrue(hami.contains("from HAMi CUDA_DEVICE_MEMORY_LIMIT_0=4g"), hami);
        assertTrue(hami.contains("raise the pod's nvidia.com/gpumem"), hami);

        DeviceChoice configured = GpuEnvironment.resolve(GpuSettings.parse("auto", "2Gi", null, null, null),
                Map.of(), FakeProbe.card(16 * GIB, 16 * GIB));
        String config = new FitCheck(configured, InsufficientMemoryPolicy.FAIL).admit("chat", BIG).message();
        assertTrue(config.contains("raise quiver.gpu.memory-budget"), config);
    }

    @Test
    void missNamesWhatOtherModelsHold() {
        FitCheck check = new FitCheck(CGPU, InsufficientMemoryPolicy.FAIL);
        check.admit("embed", new MemoryNeed(2 * GIB, 0, 0));
        String message = check.admit("chat", new MemoryNeed(GIB, GIB, 0)).message();
        assertTrue(message.contains(", of which 2.0 GiB is held by 'embed' (1.3 GiB left)"), message);
        check.release("embed");
        assertTrue(check.admit("chat", new MemoryNeed(GIB, GIB, 0)).ok());
    }

    @Test
    void cpuPolicyFallsBack() {
        FitCheck check = new FitCheck(CGPU, InsufficientMemoryPolicy.CPU);
        FitResult result = check.admit("chat", BIG);

        assertEquals(FitResult.Outcome.FELL_BACK_TO_CPU, result.outcome());
        assertEquals(Placement.CPU, result.placementOrThrow());
        assertTrue(result.message().endsWith("; quiver.gpu.on-insufficient-memory=cpu, so it runs on the CPU"));
        assertEquals(0, check.committedBytes());
    }

    @Test
    void onTheCpuNothingIsChecked() {
        FitResult result = new FitCheck(DeviceChoice.cpu("no CUDA driver"), InsufficientMemoryPolicy.FAIL)
                .admit("chat", new MemoryNeed(100 * GIB, 0, 0));
        assertEquals(FitResult.Outcome.FITS, result.outcome());
        assertEquals(Placement.CPU, result.placement());
        assertEquals("Model 'chat' runs on the CPU (no CUDA driver); GPU memory is not checked", result.message());
    }
}
