package io.quiver.gpu;

import static io.quiver.gpu.FakeProbe.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GpuUsageTest {
    /** A 16 GiB card with 12 GiB free; budget 8 GiB exactly, so the share is one half. */
    private final FakeProbe probe = FakeProbe.card(16 * GIB, 12 * GIB);
    private final DeviceChoice half = GpuEnvironment.resolve(GpuSettings.parse("auto", "8Gi", 1.0, "0", null),
            Map.of(), probe);

    @Test
    void gpuSecondsAreBusySecondsTimesShare() {
        long[] now = {0};
        GpuUsage usage = new GpuUsage(half, probe, () -> now[0]);
        try (GpuUsage.Busy busy = usage.busy("chat")) {
            now[0] += 3_000_000_000L;
        }
        usage.record("chat", 1_000_000_000L);
        usage.record("embed", 500_000_000L);

        assertEquals(0.5, usage.share(), 1e-12);
        assertEquals(4.0, usage.busySeconds("chat"), 1e-9);
        assertEquals(2.0, usage.gpuSecondsTotal("chat"), 1e-9);
        assertEquals(0.25, usage.gpuSecondsTotal("embed"), 1e-9);
        assertEquals(0.0, usage.gpuSecondsTotal("unknown"));
    }

    @Test
    void usedBytesIsTotalMinusFree() {
        assertEquals(4 * GIB, new GpuUsage(half, probe).usedBytes());
    }

    @Test
    void cpuHasNoShareAndNoUse() {
        GpuUsage usage = new GpuUsage(DeviceChoice.cpu("no CUDA driver"), probe);
        usage.record("chat", 1_000_000_000L);
        assertEquals(1.0, usage.busySeconds("chat"), 1e-9);
        assertEquals(0.0, usage.gpuSecondsTotal("chat"));
        assertEquals(0, usage.usedBytes());
    }

    @Test
    void concurrentRecordsAllCount() throws InterruptedException {
        GpuUsage usage = new GpuUsage(half, probe);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4000; i++) {
                pool.submit(() -> usage.record(Thread.currentThread().threadId() % 2 == 0 ? "a" : "b", 1_000_000));
            }
            pool.shutdown();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        assertEquals(4.0, usage.busySeconds("a") + usage.busySeconds("b"), 1e-9);
    }
}
