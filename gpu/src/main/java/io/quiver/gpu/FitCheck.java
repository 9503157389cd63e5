package io.quiver.gpu;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Checks, before a model loads, that it fits what is left of the GPU budget, and books its need when it does, so
 * several models in one process cannot together overrun the budget. On a miss it follows
 * {@code quiver.gpu.on-insufficient-memory}: fail with one line (need, budget, source, what to change) or fall back
 * to the CPU.
 */
public final class FitCheck {
    private static final Logger LOG = Logger.getLogger(FitCheck.class);

    private final DeviceChoice choice;
    private final InsufficientMemoryPolicy policy;
    private final Map<String, Long> admitted = new LinkedHashMap<>();

    public FitCheck(DeviceChoice choice, InsufficientMemoryPolicy policy) {
        this.choice = choice;
        this.policy = policy;
    }

    /**
     * @param model the model's name, as in {@code quiver.models.<name>}
     * @return where to load it; on a GPU, a placement whose limit is what the budget still had before this model
     */
    public synchronized FitResult admit(String model, MemoryNeed need) {
        if (!choice.onGpu()) {
            return new FitResult(FitResult.Outcome.FITS, Placement.CPU,
                    "Model '" + model + "' runs on the CPU (" + choice.reason() + "); GPU memory is not checked");
        }
        long remaining = remainingBytes();
        Placement gpu = choice.placement();
        if (need.totalBytes() <= remaining) {
            admitted.put(model, need.totalBytes());
            String message = "Model '" + model + "' fits on " + gpu + ": needs " + need.describe() + " of "
                    + ByteSize.format(remaining) + " left in the budget";
            LOG.info(message);
            return new FitResult(FitResult.Outcome.FITS, new Placement(gpu.cudaDevice(), remaining), message);
        }
        String miss = missMessage(model, need, remaining);
        if (policy == InsufficientMemoryPolicy.CPU) {
            String message = miss + "; quiver.gpu.on-insufficient-memory=cpu, so it runs on the CPU";
            LOG.warn(message);
            return new FitResult(FitResult.Outcome.FELL_BACK_TO_CPU, Placement.CPU, message);
        }
        return new FitResult(FitResult.Outcome.DOES_NOT_FIT, gpu, miss
                + ", or set quiver.gpu.on-insufficient-memory=cpu");
    }

    /** Gives a model's share back, e.g. when it is unloaded or its load failed. */
    public synchronized void release(String model) {
        admitted.remove(model);
    }

    public synchronized long committedBytes() {
        return admitted.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized long remainingBytes() {
        return Math.max(0, choice.budgetBytes() - committedBytes());
    }

    private String missMessage(String model, MemoryNeed need, long remaining) {
        MemoryBudget budget = choice.budget().orElseThrow();
        String held = admitted.isEmpty() ? "" : ", of which " + admitted.entrySet().stream()
                .map(e -> ByteSize.format(e.getValue()) + " is held by '" + e.getKey() + "'")
                .collect(Collectors.joining(", ")) + " (" + ByteSize.format(remaining) + " left)";
        return "Model '" + model + "' does not fit on " + choice.placement() + " "
                + choice.device().orElseThrow().name() + ": needs " + need.describe() + " but the GPU budget is "
                + budget.describe() + held + "; " + budget.source().remedy()
                + ", use a smaller or quantized variant, or lower the context length or the batch size";
    }
}
