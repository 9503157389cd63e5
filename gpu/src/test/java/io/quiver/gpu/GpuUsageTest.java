package io.quiver.gpu;

import static io.quiver.gpu.FakeProbe.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GpuUsageTest {
    /** A 16 GiB card with 12 GiB free; budget 8 GiB exactly, so the share is one half. */
    private final FakeProbe probe = FakeProbe.card(16 * GIB, 12 * GIB);
    private final DeviceChoice half = GpuEnvironment.resolve(GpuSettings.parse("auto", "8Gi", 1.0, "0", null),
            Map.of(), probe);

    @Test
    void gpuSecondsAreBusySecondsTimesShare() {
        GpuUsage usage = new GpuUsage(half, probe);
        assertEquals(0.5, usage.share(), 1e-12);
        assertEquals(2.0, usage.gpuSeconds(4.0), 1e-9);
        assertEquals(0.25, usage.gpuSeconds(0.5), 1e-9);
        assertEquals(0.0, usage.gpuSeconds(0));
    }

    @Test
    void usedBytesIsTotalMinusFree() {
        assertEquals(4 * GIB, new GpuUsage(half, probe).usedBytes());
    }

    @Test
    void cpuHasNoShareAndNoUse() {
        GpuUsage usage = new GpuUsage(DeviceChoice.cpu("no CUDA driver"), probe);
        assertEquals(0.0, usage.gpuSeconds(1.0));
        assertEquals(0, usage.usedBytes());
    }
}
