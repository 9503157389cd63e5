package io.quiver.gpu;

import static io.quiver.gpu.FakeProbe.GIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JCudaProbeTest {
    /**
     * The real probe on the machine the build runs on. Without the NVIDIA kernel driver it must answer "no
     * devices" twice without throwing; with one (a GPU box running the default build) it must find them.
     */
    @Test
    void realProbeNeverThrowsAndAgreesWithTheKernelDriver() {
        boolean driver = Files.exists(Path.of("/proc/driver/nvidia/version"));
        JCudaProbe probe = new JCudaProbe();

        GpuProbe.Discovery first = probe.discover();
        GpuProbe.Discovery second = probe.discover();

        assertEquals(driver, first.found(), first.reason());
        assertEquals(first.found(), second.found());
        if (!driver) {
            assertTrue(first.reason().startsWith("no CUDA driver"), first.reason());
            assertEquals(first, second);
            assertEquals(Optional.empty(), probe.memory(0));
            DeviceChoice choice = GpuEnvironment.resolve(GpuSettings.DEFAULTS, Map.of(), probe);
            assertEquals(Placement.CPU, choice.placement());
        }
    }

    @Test
    void linkageErrorIsCaughtOnceAndRemembered() {
        int[] calls = {0};
        JCudaProbe probe = new JCudaProbe(() -> {
            calls[0]++;
            // The first touch fails to load the library; every later one would be NoClassDefFoundError.
            throw calls[0] == 1 ? new UnsatisfiedLinkError("no JCudaRuntime-12.6.0-linux-x86_64 in java.library"
                    + ".path\nnested trace") : new NoClassDefFoundError("Could not initialize class JCuda");
        });

        GpuProbe.Discovery first = probe.discover();
        GpuProbe.Discovery second = probe.discover();

        assertEquals("no CUDA driver (JCuda: UnsatisfiedLinkError: no JCudaRuntime-12.6.0-linux-x86_64 in "
                + "java.library.path)", first.reason());
        assertEquals(first, second);
        assertEquals(Optional.empty(), probe.memory(0));
        assertEquals(1, calls[0]);
    }

    @Test
    void insufficientDriverIsRememberedToo() {
        FakeRuntime cuda = new FakeRuntime(JCudaProbe.INSUFFICIENT_DRIVER);
        JCudaProbe probe = new JCudaProbe(() -> cuda);
        assertEquals(GpuProbe.Discovery.none("no CUDA driver"), probe.discover());
        assertEquals(GpuProbe.Discovery.none("no CUDA driver"), probe.discover());
        assertEquals(1, cuda.countCalls);
    }

    @Test
    void noDeviceAndOtherErrors() {
        assertEquals("no CUDA device", new JCudaProbe(() -> new FakeRuntime(JCudaProbe.NO_DEVICE))
                .discover().reason());
        FakeRuntime flaky = new FakeRuntime(999);
        JCudaProbe probe = new JCudaProbe(() -> flaky);
        assertEquals("CUDA unavailable: cudaError999", probe.discover().reason());
        probe.discover();
        assertEquals(2, flaky.countCalls, "an unknown error is not sticky; ask again");
    }

    @Test
    void measuresEachDeviceAfterSelectingIt() {
        FakeRuntime cuda = new FakeRuntime(0, new long[] {16 * GIB, 15 * GIB}, new long[] {80 * GIB, 70 * GIB});
        JCudaProbe probe = new JCudaProbe(() -> cuda);

        assertEquals(List.of(new GpuDevice(0, "Fake GPU 0", 16 * GIB, 15 * GIB),
                new GpuDevice(1, "Fake GPU 1", 80 * GIB, 70 * GIB)), probe.discover().devices());
        assertEquals(Optional.of(new GpuProbe.Memory(70 * GIB, 80 * GIB)), probe.memory(1));
        assertEquals(10 * GIB, probe.memory(1).orElseThrow().usedBytes());
    }

    @Test
    void skipsADeviceThatDoesNotAnswer() {
        FakeRuntime cuda = new FakeRuntime(0, new long[] {16 * GIB, 15 * GIB}, null);
        GpuProbe.Discovery discovery = new JCudaProbe(() -> cuda).discover();
        assertEquals(1, discovery.devices().size());
        assertFalse(new JCudaProbe(() -> new FakeRuntime(0, (long[]) null)).discover().found());
    }

    /** Devices given as {total, free} pairs; a null pair fails cudaSetDevice. */
    private static final class FakeRuntime implements CudaRuntime {
        private final int countCode;
        private final long[][] devices;
        private int current = -1;
        int countCalls;

        FakeRuntime(int countCode, long[]... devices) {
            this.countCode = countCode;
            this.devices = devices;
        }

        @Override
        public int deviceCount(int[] count) {
            countCalls++;
            count[0] = devices.length;
            return countCode;
        }

        @Override
        public int setDevice(int device) {
            current = device;
            return devices[device] == null ? 101 : 0;
        }

        @Override
        public int memGetInfo(long[] free, long[] total) {
            total[0] = devices[current][0];
            free[0] = devices[current][1];
            return 0;
        }

        @Override
        public String deviceName(int device) {
            return "Fake GPU " + device;
        }

        @Override
        public String errorName(int code) {
            return "cudaError" + code;
        }
    }
}
