package io.quiver.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** On a machine with an NVIDIA GPU only: gpu/run-gpu-tests.sh runs these with -Pgpu-tests. */
@Tag("gpu")
class RealGpuTest {
    @Test
    void discoversRealDevicesWithMemory() {
        GpuProbe.Discovery discovery = new JCudaProbe().discover();
        assertTrue(discovery.found(), discovery.reason());
        for (GpuDevice device : discovery.devices()) {
            System.out.println("found " + device.describe());
            assertFalse(device.name().isBlank());
            assertTrue(device.totalBytes() > 0 && device.freeBytes() > 0, device.describe());
            assertTrue(device.freeBytes() <= device.totalBytes(), device.describe());
        }
    }

    @Test
    void resolvesAGpuBudgetFromTheRealEnvironment() {
        JCudaProbe probe = new JCudaProbe();
        DeviceChoice choice = GpuEnvironment.resolve(GpuSettings.DEFAULTS, System.getenv(), probe);
        System.out.println("choice " + choice.describe());
        assertTrue(choice.onGpu(), choice.describe());
        assertTrue(choice.budgetBytes() > 0);
        assertTrue(new GpuUsage(choice, probe).usedBytes() > 0, "the probe's own CUDA context uses memory");
    }

    @Test
    void onnxRuntimeRunsTinyGraphsOnCuda() throws OrtException {
        assertTrue(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "run with -Pgpu-tests so onnxruntime_gpu is on the classpath");
        JCudaProbe probe = new JCudaProbe();
        DeviceChoice choice = GpuEnvironment.resolve(GpuSettings.parse("cuda:0", "1Gi", null, null, null),
                System.getenv(), probe);
        long before = probe.memory(0).orElseThrow().usedBytes();

        try (OrtSession conv = TinyGraphs.open(TinyOnnx.conv(), choice.placement(), true)) {
            assertArrayEquals(TinyGraphs.CONV_EXPECTED, TinyGraphs.run(conv, TinyGraphs.image(), TinyGraphs.IMAGE_SHAPE));
            // Measured while the session is open: its arena, cuDNN and cuBLAS live on the device.
            long during = probe.memory(0).orElseThrow().usedBytes();
            System.out.printf("device memory used before %s, with a CUDA session open %s%n",
                    ByteSize.format(before), ByteSize.format(during));
            assertTrue(during > before, "the CUDA execution provider allocated on the device");
        }
        assertArrayEquals(TinyGraphs.ADD_EXPECTED, TinyGraphs.runAdd(choice.placement()));
        assertEquals(0, choice.placement().cudaDevice());
    }
}
