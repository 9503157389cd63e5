package io.quiver.gpu;

import static io.quiver.gpu.FakeProbe.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** quiver.device, the no-room refusals and the one-line report. */
class DeviceSelectionTest {
    private static final FakeProbe TWO = FakeProbe.devices(new GpuDevice(0, "NVIDIA L4", 22 * GIB, 21 * GIB),
            new GpuDevice(1, "NVIDIA A100-SXM4-40GB", 40 * GIB, 39 * GIB));

    private static GpuSettings device(String device) {
        return GpuSettings.parse(device, null, null, null, null);
    }

    @Test
    void cpuNeverTouchesTheGpu() {
        FakeProbe probe = FakeProbe.card(16 * GIB, 15 * GIB);
        DeviceChoice choice = GpuEnvironment.resolve(device("cpu"), Map.of("ALIYUN_COM_GPU_MEM_IDX", "-1"), probe);
        assertEquals(Placement.CPU, choice.placement());
        assertEquals(0, probe.discoveries);
        assertEquals("cpu (quiver.device=cpu)", choice.describe());
    }

    @Test
    void autoWithoutGpuRunsOnCpuAndSaysWhy() {
        DeviceChoice choice = GpuEnvironment.resolve(device("auto"), Map.of(), FakeProbe.none("no CUDA driver"));
        assertFalse(choice.onGpu());
        assertEquals(0, choice.budgetBytes());
        assertEquals("cpu (no CUDA driver)", choice.describe());
    }

    @Test
    void autoPicksTheFirstGpu() {
        DeviceChoice choice = GpuEnvironment.resolve(GpuSettings.DEFAULTS, Map.of(), TWO);
        assertEquals(0, choice.placement().cudaDevice());
        assertEquals("NVIDIA L4", choice.device().orElseThrow().name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cuda", "CUDA", "cuda:0"})
    void cudaWithoutGpuFailsClearly(String request) {
        GpuPlacementException e = assertThrows(GpuPlacementException.class,
                () -> GpuEnvironment.resolve(device(request), Map.of(), FakeProbe.none("no CUDA driver")));
        assertTrue(e.getMessage().startsWith("quiver.device=" + request.toLowerCase() + " but there is no GPU "
                + "(no CUDA driver)"), e.getMessage());
        assertTrue(e.getMessage().contains("quiver.device=auto or cpu"), e.getMessage());
    }

    @Test
    void cudaNPicksThatDevice() {
        DeviceChoice choice = GpuEnvironment.resolve(device("cuda:1"), Map.of(), TWO);
        assertEquals(1, choice.placement().cudaDevice());
        assertEquals(choice.budgetBytes(), choice.placement().memoryLimitBytes());
        assertEquals("cuda:1", choice.placement().toString());
    }

    @Test
    void cudaNOutOfRangeNamesTheVisibleDevices() {
        GpuPlacementException e = assertThrows(GpuPlacementException.class,
                () -> GpuEnvironment.resolve(device("cuda:3"), Map.of(), TWO));
        assertEquals("quiver.device=cuda:3 but the visible CUDA devices are cuda:0, cuda:1; pick one of them or "
                + "set quiver.device=cuda", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tpu", "gpu", "cuda:", "cuda:x", "cuda:-1", "mps"})
    void rejectsUnknownDevices(String request) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> device(request));
        assertTrue(e.getMessage().contains("use auto, cpu, cuda or cuda:N"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"auto", "cuda"})
    void cgpuIdxMinusOneMeansNoRoom(String request) {
        GpuPlacementException e = assertThrows(GpuPlacementException.class, () -> GpuEnvironment.resolve(
                device(request), Map.of("ALIYUN_COM_GPU_MEM_IDX", "-1", "ALIYUN_COM_GPU_MEM_CONTAINER", "4"),
                FakeProbe.card(16 * GIB, 15 * GIB)));
        assertTrue(e.getMessage().startsWith("The GPU scheduler found no GPU with room for this pod "
                + "(ALIYUN_COM_GPU_MEM_IDX=-1)"), e.getMessage());
        assertTrue(e.getMessage().contains("aliyun.com/gpu-mem"), e.getMessage());
    }

    @Test
    void noGpuHasRoomInVisibleDevices() {
        GpuPlacementException e = assertThrows(GpuPlacementException.class, () -> GpuEnvironment.resolve(
                GpuSettings.DEFAULTS, Map.of("NVIDIA_VISIBLE_DEVICES", "no-gpu-has-8GiB-to-run"),
                FakeProbe.none("no CUDA device")));
        assertTrue(e.getMessage().contains("(NVIDIA_VISIBLE_DEVICES=no-gpu-has-8GiB-to-run)"), e.getMessage());
    }

    @Test
    void alibabaCloudIdxSpellingToo() {
        assertThrows(GpuPlacementException.class, () -> GpuEnvironment.resolve(GpuSettings.DEFAULTS,
                Map.of("ALIBABACLOUD_COM_GPU_MEM_IDX", "-1"), FakeProbe.card(16 * GIB, 15 * GIB)));
    }

    @Test
    void budgetThatLeavesNothingFailsWithItsArithmetic() {
        GpuPlacementException e = assertThrows(GpuPlacementException.class, () -> GpuEnvironment.resolve(
                GpuSettings.parse("auto", null, null, "2Gi", null), Map.of("CUDA_DEVICE_MEMORY_LIMIT", "1g"),
                FakeProbe.card(16 * GIB, 15 * GIB)));
        assertEquals("No GPU memory left for models on cuda:0: budget 0 B = min(1.0 GiB, free 15.0 GiB) × 0.90 "
                + "− 2.0 GiB, from HAMi CUDA_DEVICE_MEMORY_LIMIT=1g; raise the pod's nvidia.com/gpumem, lower "
                + "quiver.gpu.memory-reserve, or set quiver.device=cpu", e.getMessage());
    }

    @Test
    void malformedEnvironmentNamesTheVariable() {
        IllegalArgumentException hami = assertThrows(IllegalArgumentException.class, () -> GpuEnvironment.resolve(
                GpuSettings.DEFAULTS, Map.of("CUDA_DEVICE_MEMORY_LIMIT_0", "lots"), FakeProbe.card(GIB, GIB)));
        assertTrue(hami.getMessage().startsWith("CUDA_DEVICE_MEMORY_LIMIT_0=lots"), hami.getMessage());
        IllegalArgumentException mps = assertThrows(IllegalArgumentException.class, () -> GpuEnvironment.resolve(
                GpuSettings.DEFAULTS, Map.of("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "1G"), FakeProbe.card(GIB, GIB)));
        assertTrue(mps.getMessage().contains("device=size pairs"), mps.getMessage());
        IllegalArgumentException cgpu = assertThrows(IllegalArgumentException.class, () -> GpuEnvironment.resolve(
                GpuSettings.DEFAULTS, Map.of("ALIYUN_COM_GPU_MEM_CONTAINER", "four"), FakeProbe.card(GIB, GIB)));
        assertTrue(cgpu.getMessage().startsWith("ALIYUN_COM_GPU_MEM_CONTAINER=four"), cgpu.getMessage());
    }

    @Test
    void settingsRejectOutOfRangeValues() {
        assertThrows(IllegalArgumentException.class, () -> GpuSettings.parse(null, null, 1.5, null, null));
        assertThrows(IllegalArgumentException.class, () -> GpuSettings.parse(null, null, 0.0, null, null));
        assertThrows(IllegalArgumentException.class, () -> GpuSettings.parse(null, "0", null, null, null));
        IllegalArgumentException policy = assertThrows(IllegalArgumentException.class,
                () -> GpuSettings.parse(null, null, null, null, "swap"));
        assertTrue(policy.getMessage().contains("use fail or cpu"));
        assertEquals(GpuSettings.DEFAULTS, GpuSettings.parse(null, null, null, null, null));
        assertEquals(InsufficientMemoryPolicy.CPU, GpuSettings.parse(null, null, null, null, "CPU")
                .onInsufficientMemory());
    }

    @Test
    void reportNamesDeviceTotalFreeBudgetAndSource() {
        DeviceChoice choice = GpuEnvironment.resolve(GpuSettings.DEFAULTS,
                Map.of("CUDA_DEVICE_MEMORY_LIMIT_0", "8g"), TWO);
        assertEquals("cuda:0 NVIDIA L4, total 22.0 GiB, free 21.0 GiB, budget 6.9 GiB = min(8.0 GiB, free 21.0 GiB) "
                + "× 0.90 − 256.0 MiB, from HAMi CUDA_DEVICE_MEMORY_LIMIT_0=8g", choice.describe());
    }
}
