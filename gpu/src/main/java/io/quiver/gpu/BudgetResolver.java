package io.quiver.gpu;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the memory budget for one device: the first source that speaks (configuration, HAMi, MPS, cGPU, the device
 * itself), then {@code min(source, free at start) × utilization − reserve}. The environment is a parameter so every
 * shared-GPU flavour can be tested as a table.
 */
final class BudgetResolver {
    private BudgetResolver() {
    }

    private record Source(BudgetSource kind, long bytes, String detail, long cardBytes) {
    }

    static MemoryBudget resolve(GpuSettings settings, Map<String, String> env, GpuDevice device) {
        Source source = configured(settings, device)
                .or(() -> hami(env, device))
                .or(() -> mps(env, device))
                .or(() -> cgpu(env, device))
                .orElseGet(() -> new Source(BudgetSource.DEVICE, device.totalBytes(),
                        "on cuda:" + device.index() + ", no shared-GPU limit in the environment",
                        device.totalBytes()));
        long usable = Math.min(source.bytes(), device.freeBytes());
        long bytes = (long) Math.floor(usable * settings.utilization()) - settings.memoryReserveBytes();
        MemoryBudget budget = new MemoryBudget(Math.max(0, bytes), source.kind(), source.detail(), source.bytes(),
                device.freeBytes(), settings.utilization(), settings.memoryReserveBytes(), source.cardBytes());
        if (bytes <= 0) {
            throw new GpuPlacementException("No GPU memory left for models on cuda:" + device.index() + ": budget "
                    + budget.describe() + "; " + source.kind().remedy()
                    + ", lower quiver.gpu.memory-reserve, or set quiver.device=cpu");
        }
        return budget;
    }

    /** Why the shared-GPU scheduler gave this pod no GPU, if it says so. */
    static Optional<String> noRoom(Map<String, String> env) {
        String idx = first(env, "ALIYUN_COM_GPU_MEM_IDX", "ALIBABACLOUD_COM_GPU_MEM_IDX");
        String visible = env.getOrDefault("NVIDIA_VISIBLE_DEVICES", "");
        if ("-1".equals(idx == null ? null : idx.strip()) || visible.startsWith("no-gpu-has-")) {
            String evidence = visible.startsWith("no-gpu-has-") ? "NVIDIA_VISIBLE_DEVICES=" + visible
                    : "ALIYUN_COM_GPU_MEM_IDX=-1";
            return Optional.of("The GPU scheduler found no GPU with room for this pod (" + evidence
                    + "): lower the pod's aliyun.com/gpu-mem request or add GPU capacity, or set quiver.device=cpu");
        }
        return Optional.empty();
    }

    private static Optional<Source> configured(GpuSettings settings, GpuDevice device) {
        if (settings.memoryBudgetBytes().isPresent()) {
            long bytes = settings.memoryBudgetBytes().getAsLong();
            return Optional.of(new Source(BudgetSource.CONFIG_BUDGET, bytes, "= " + ByteSize.format(bytes),
                    device.totalBytes()));
        }
        if (settings.memoryUtilization().isPresent()) {
            return Optional.of(new Source(BudgetSource.CONFIG_UTILIZATION, device.totalBytes(),
                    String.format(Locale.ROOT, "= %.2f of the card", settings.utilization()), device.totalBytes()));
        }
        return Optional.empty();
    }

    /** HAMi's vGPU library reads {@code CUDA_DEVICE_MEMORY_LIMIT_<i>}, then the unindexed one; 0 means no limit. */
    private static Optional<Source> hami(Map<String, String> env, GpuDevice device) {
        for (String name : new String[] {"CUDA_DEVICE_MEMORY_LIMIT_" + device.index(), "CUDA_DEVICE_MEMORY_LIMIT"}) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                long bytes = ByteSize.parse(value, name);
                if (bytes > 0) {
                    return Optional.of(new Source(BudgetSource.HAMI, bytes, name + "=" + value.strip(),
                            device.totalBytes()));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * MPS caps only what the client may allocate: cudaMemGetInfo still reports the whole card as total, so the
     * card size is right for the share but the limit must come from {@code device=size} pairs.
     */
    private static Optional<Source> mps(Map<String, String> env, GpuDevice device) {
        String name = "CUDA_MPS_PINNED_DEVICE_MEM_LIMIT";
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        for (String pair : value.split(",")) {
            String[] parts = pair.split("=", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException(name + "=" + value + " is not a list of device=size pairs");
            }
            if (parts[0].strip().equals(Integer.toString(device.index()))) {
                long bytes = ByteSize.parse(parts[1], name);
                return Optional.of(new Source(BudgetSource.MPS, bytes, name + " " + pair.strip()
                        + " (MPS caps free memory, not the total)", device.totalBytes()));
            }
        }
        return Optional.empty();
    }

    /**
     * Alibaba cGPU: the pod holds CONTAINER of the card's DEV units. With isolation the card already shows only the
     * pod's share; with {@code CGPU_DISABLE=true} (or no cGPU module on the node) it shows all its memory and Quiver
     * must keep to {@code physical × CONTAINER / DEV} itself. DEV is rounded down, so a card that shows at least
     * CONTAINER + 1 units is the whole card, never a share.
     */
    private static Optional<Source> cgpu(Map<String, String> env, GpuDevice device) {
        String containerName = firstName(env, "ALIYUN_COM_GPU_MEM_CONTAINER", "ALIBABACLOUD_COM_GPU_MEM_CONTAINER");
        if (containerName == null) {
            return Optional.empty();
        }
        String devName = firstName(env, "ALIYUN_COM_GPU_MEM_DEV", "ALIBABACLOUD_COM_GPU_MEM_DEV");
        String unitText = first(env, "ALIYUN_COM_GPU_MEM_UNIT", "ALIBABACLOUD_COM_GPU_MEM_UNIT");
        String unitName = unitText == null || unitText.isBlank() ? "GiB" : unitText.strip();
        long unit = ByteSize.parse("1" + unitName, "ALIYUN_COM_GPU_MEM_UNIT");
        BigDecimal container = units(env, containerName);
        String detail = containerName + "=" + env.get(containerName).strip();
        long total = device.totalBytes();
        if (devName == null) {
            return Optional.of(new Source(BudgetSource.CGPU, container.multiply(BigDecimal.valueOf(unit)).longValue(),
                    detail + " " + unitName, total));
        }
        BigDecimal dev = units(env, devName);
        if (dev.signum() <= 0) {
            throw new IllegalArgumentException(devName + "=" + env.get(devName) + " must be positive");
        }
        detail += " of " + devName + "=" + env.get(devName).strip() + " " + unitName;
        boolean isolationOff = "true".equalsIgnoreCase(env.getOrDefault("CGPU_DISABLE", "").strip());
        long shareLimit = container.add(BigDecimal.ONE).multiply(BigDecimal.valueOf(unit)).longValue();
        if (!isolationOff && total < shareLimit) {
            long card = Math.max(total, dev.multiply(BigDecimal.valueOf(unit)).longValue());
            return Optional.of(new Source(BudgetSource.CGPU, total, detail + " (isolated: the card shows the share)",
                    card));
        }
        long share = BigDecimal.valueOf(total).multiply(container).divide(dev, RoundingMode.FLOOR)
                .longValue();
        String why = isolationOff ? "CGPU_DISABLE=true, no isolation" : "the card shows all its memory";
        return Optional.of(new Source(BudgetSource.CGPU, share, detail + " (" + why + ": Quiver keeps to "
                + container.toPlainString() + "/" + dev.toPlainString() + " of " + ByteSize.format(total) + ")",
                total));
    }

    private static BigDecimal units(Map<String, String> env, String name) {
        try {
            BigDecimal value = new BigDecimal(env.get(name).strip());
            if (value.signum() < 0) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + env.get(name) + " is not a number of memory units");
        }
    }

    private static String firstName(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return name;
            }
        }
        return null;
    }

    private static String first(Map<String, String> env, String... names) {
        String name = firstName(env, names);
        return name == null ? null : env.get(name);
    }
}
