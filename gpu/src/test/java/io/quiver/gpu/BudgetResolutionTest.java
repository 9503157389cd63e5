package io.quiver.gpu;

import static io.quiver.gpu.FakeProbe.GIB;
import static io.quiver.gpu.FakeProbe.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every budget source, their precedence, units and the arithmetic, as one table over injected environments. */
class BudgetResolutionTest {
    private static final GpuSettings DEFAULTS = GpuSettings.DEFAULTS;
    /** A 16 GiB card with 15 GiB free, as cudaMemGetInfo reports it with no virtualization. */
    private static final FakeProbe CARD = FakeProbe.card(16 * GIB, 15 * GIB);
    /** What a physical A10 reports (23028 MiB); cGPU rounds its DEV down to 22 GiB. */
    private static final long A10 = 23028 * MIB;

    record Row(String name, GpuSettings settings, Map<String, String> env, GpuProbe probe, long budget,
               BudgetSource source, String detail, long card) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The default arithmetic: min(source, free) × 0.90 − 256 MiB. */
    private static long byDefault(long usable) {
        return (long) Math.floor(usable * 0.90) - 256 * MIB;
    }

    private static GpuSettings settings(String device, String budget, Double utilization, String reserve) {
        return GpuSettings.parse(device, budget, utilization, reserve, null);
    }

    static Stream<Row> table() {
        return Stream.of(
            // 5. The device itself when nothing else speaks.
            new Row("device free memory", DEFAULTS, Map.of(), CARD, byDefault(15 * GIB),
                    BudgetSource.DEVICE, "no shared-GPU limit", 16 * GIB),
            // 1. Explicit configuration wins over everything, and is still capped by free memory.
            new Row("config budget beats HAMi, MPS and cGPU", settings("auto", "8Gi", null, null),
                    Map.of("CUDA_DEVICE_MEMORY_LIMIT", "2g", "CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=1G",
                            "ALIYUN_COM_GPU_MEM_CONTAINER", "1", "ALIYUN_COM_GPU_MEM_DEV", "16"),
                    CARD, byDefault(8 * GIB), BudgetSource.CONFIG_BUDGET, "8.0 GiB", 16 * GIB),
            new Row("config budget capped by free", settings("auto", "20G", null, null), Map.of(), CARD,
                    byDefault(15 * GIB), BudgetSource.CONFIG_BUDGET, "20.0 GiB", 16 * GIB),
            new Row("config budget in bytes, no headroom", settings("auto", "8589934592", 1.0, "0"), Map.of(),
                    CARD, 8 * GIB, BudgetSource.CONFIG_BUDGET, "8.0 GiB", 16 * GIB),
            new Row("config budget × utilization − reserve", settings("auto", "10GiB", 0.5, "1Gi"), Map.of(),
                    CARD, 4 * GIB, BudgetSource.CONFIG_BUDGET, "10.0 GiB", 16 * GIB),
            new Row("config utilization is a fraction of the card", settings("auto", null, 0.5, "0"),
                    Map.of("CUDA_DEVICE_MEMORY_LIMIT", "2g"), FakeProbe.card(16 * GIB, 16 * GIB), 8 * GIB,
                    BudgetSource.CONFIG_UTILIZATION, "0.50 of the card", 16 * GIB),
            new Row("config utilization capped by free", settings("auto", null, 0.5, "512M"), Map.of(), CARD,
                    (long) (7.5 * GIB) - 512 * MIB, BudgetSource.CONFIG_UTILIZATION, "0.50", 16 * GIB),
            // 2. HAMi: indexed before unindexed; 1g, 1024m and bytes.
            new Row("HAMi indexed beats unindexed",  DEFAULTS,
                    Map.of("CUDA_DEVICE_MEMORY_LIMIT_0", "4g", "CUDA_DEVICE_MEMORY_LIMIT", "8g"), CARD,
                    byDefault(4 * GIB), BudgetSource.HAMI, "CUDA_DEVICE_MEMORY_LIMIT_0=4g", 16 * GIB),
            new Row("HAMi unindexed in m", DEFAULTS, Map.of("CUDA_DEVICE_MEMORY_LIMIT", "1024m"), CARD,
                    byDefault(GIB), BudgetSource.HAMI, "CUDA_DEVICE_MEMORY_LIMIT=1024m", 16 * GIB),
            new Row("HAMi in bytes", DEFAULTS, Map.of("CUDA_DEVICE_MEMORY_LIMIT_0", "3221225472"), CARD,
                    byDefault(3 * GIB), BudgetSource.HAMI, "=3221225472", 16 * GIB),
            new Row("HAMi virtualized card", DEFAULTS, Map.of("CUDA_DEVICE_MEMORY_LIMIT_0", "4g"),
                    FakeProbe.card(4 * GIB, 3584 * MIB), byDefault(3584 * MIB), BudgetSource.HAMI, "4g", 4 * GIB),
            new Row("HAMi per device: cuda:1 reads its own limit", settings("cuda:1", null, null, null),
                    Map.of("CUDA_DEVICE_MEMORY_LIMIT_0", "4g", "CUDA_DEVICE_MEMORY_LIMIT_1", "6g"),
                    FakeProbe.devices(new GpuDevice(0, "A", 16 * GIB, 15 * GIB),
                            new GpuDevice(1, "B", 16 * GIB, 15 * GIB)),
                    byDefault(6 * GIB), BudgetSource.HAMI, "CUDA_DEVICE_MEMORY_LIMIT_1=6g", 16 * GIB),
            new Row("HAMi 0 means no limit", DEFAULTS, Map.of("CUDA_DEVICE_MEMORY_LIMIT_0", "0"), CARD,
                    byDefault(15 * GIB), BudgetSource.DEVICE, "no shared-GPU limit", 16 * GIB),
            new Row("HAMi beats MPS and cGPU", DEFAULTS,
                    Map.of("CUDA_DEVICE_MEMORY_LIMIT", "2g", "CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=1G",
                            "ALIYUN_COM_GPU_MEM_CONTAINER", "1", "ALIYUN_COM_GPU_MEM_DEV", "16"),
                    CARD, byDefault(2 * GIB), BudgetSource.HAMI, "2g", 16 * GIB),
            // 3. MPS: device=size pairs; only free memory is capped, the total stays the whole card.
            new Row("MPS pair for cuda:0", DEFAULTS, Map.of("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=1G,1=2G"),
                    FakeProbe.card(80 * GIB, 79 * GIB), byDefault(GIB), BudgetSource.MPS, "0=1G", 80 * GIB),
            new Row("MPS pair for cuda:1", settings("cuda:1", null, null, null),
                    Map.of("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=1G, 1=2G"),
                    FakeProbe.devices(new GpuDevice(0, "H100", 80 * GIB, 79 * GIB),
                            new GpuDevice(1, "H100", 80 * GIB, 79 * GIB)),
                    byDefault(2 * GIB), BudgetSource.MPS, "1=2G", 80 * GIB),
            new Row("MPS caps free, not total", DEFAULTS, Map.of("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=4G"),
                    FakeProbe.card(80 * GIB, 3 * GIB), byDefault(3 * GIB), BudgetSource.MPS, "caps free", 80 * GIB),
            new Row("MPS without a pair for this device", DEFAULTS, Map.of("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "1=2G"),
                    CARD, byDefault(15 * GIB), BudgetSource.DEVICE, "no shared-GPU limit", 16 * GIB),
            new Row("MPS beats cGPU", DEFAULTS, Map.of("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "0=2G",
                    "ALIYUN_COM_GPU_MEM_CONTAINER", "1", "ALIYUN_COM_GPU_MEM_DEV", "16"),
                    CARD, byDefault(2 * GIB), BudgetSource.MPS, "0=2G", 16 * GIB),
            // 4. cGPU: the pod's share of the card.
            new Row("cGPU isolated: the card shows the share", DEFAULTS,
                    Map.of("ALIYUN_COM_GPU_MEM_CONTAINER", "4", "ALIYUN_COM_GPU_MEM_DEV", "22"),
                    FakeProbe.card(4 * GIB, 3800 * MIB), byDefault(3800 * MIB), BudgetSource.CGPU,
                    "isolated", 22 * GIB),
            new Row("cGPU with CGPU_DISABLE=true: physical × 4/22", DEFAULTS,
                    Map.of("ALIYUN_COM_GPU_MEM_CONTAINER", "4", "ALIYUN_COM_GPU_MEM_DEV", "22",
                            "CGPU_DISABLE", "true"),
                    FakeProbe.card(A10, A10 - GIB), byDefault(A10 * 4 / 22), BudgetSource.CGPU,
                    "CGPU_DISABLE=true, no isolation", A10),
            new Row("cGPU module missing: the card shows all, keep to the share", DEFAULTS,
                    Map.of("ALIYUN_COM_GPU_MEM_CONTAINER", "4", "ALIYUN_COM_GPU_MEM_DEV", "22"),
                    FakeProbe.card(A10, A10 - GIB), byDefault(A10 * 4 / 22), BudgetSource.CGPU,
                    "the card shows all its memory", A10),
            new Row("cGPU share of a whole card", DEFAULTS,
                    Map.of("ALIYUN_COM_GPU_MEM_CONTAINER", "22", "ALIYUN_COM_GPU_MEM_DEV", "22"),
                    FakeProbe.card(A10, A10 - GIB), byDefault(A10 - GIB), BudgetSource.CGPU, "22 of", A10),
            new Row("cGPU in MiB", DEFAULTS,
                    Map.of("ALIYUN_COM_GPU_MEM_CONTAINER", "4096", "ALIYUN_COM_GPU_MEM_DEV", "16384",
                            "ALIYUN_COM_GPU_MEM_UNIT", "MiB", "CGPU_DISABLE", "TRUE"),
                    CARD, byDefault(4 * GIB), BudgetSource.CGPU, "MiB", 16 * GIB),
            new Row("cGPU ALIBABACLOUD spelling", DEFAULTS,
                    Map.of("ALIBABACLOUD_COM_GPU_MEM_CONTAINER", "2", "ALIBABACLOUD_COM_GPU_MEM_DEV", "16"),
                    FakeProbe.card(2 * GIB, 2 * GIB), byDefault(2 * GIB), BudgetSource.CGPU,
                    "ALIBABACLOUD_COM_GPU_MEM_CONTAINER=2", 16 * GIB),
            new Row("cGPU without DEV: container × unit", DEFAULTS, Map.of("ALIYUN_COM_GPU_MEM_CONTAINER", "3"),
                    CARD, byDefault(3 * GIB), BudgetSource.CGPU, "=3 GiB", 16 * GIB),
            new Row("cGPU with IDX of a real card", DEFAULTS,
                    Map.of("ALIYUN_COM_GPU_MEM_CONTAINER", "3", "ALIYUN_COM_GPU_MEM_IDX", "0"),
                    CARD, byDefault(3 * GIB), BudgetSource.CGPU, "=3 GiB", 16 * GIB));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void resolvesTheBudget(Row row) {
        DeviceChoice choice = GpuEnvironment.resolve(row.settings(), row.env(), row.probe());
        MemoryBudget budget = choice.budget().orElseThrow();

        assertEquals(row.budget(), budget.bytes(), () -> row.name() + ": " + budget.describe());
        assertEquals(row.source(), budget.source(), budget::describe);
        assertTrue(budget.describe().contains(row.detail()), () -> budget.describe() + " lacks " + row.detail());
        assertEquals(row.card(), budget.cardBytes(), "card size for the GPU-seconds share");
        assertEquals(budget.bytes(), choice.placement().memoryLimitBytes(), "ONNX Runtime gets the budget");
        assertEquals((double) budget.bytes() / row.card(), budget.share(), 1e-12);
    }
}
