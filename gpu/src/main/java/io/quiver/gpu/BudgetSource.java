package io.quiver.gpu;

/** Where a GPU-memory budget came from, in precedence order, with the knob an operator turns to raise it. */
public enum BudgetSource {
    CONFIG_BUDGET("quiver.gpu.memory-budget", "raise quiver.gpu.memory-budget"),
    CONFIG_UTILIZATION("quiver.gpu.memory-utilization", "raise quiver.gpu.memory-utilization"),
    HAMI("HAMi", "raise the pod's nvidia.com/gpumem"),
    MPS("MPS", "raise CUDA_MPS_PINNED_DEVICE_MEM_LIMIT"),
    CGPU("cGPU", "raise the pod's aliyun.com/gpu-mem"),
    DEVICE("cudaMemGetInfo", "free memory on the GPU or use a larger one");

    private final String label;
    private final String remedy;

    BudgetSource(String label, String remedy) {
        this.label = label;
        this.remedy = remedy;
    }

    public String label() {
        return label;
    }

    /** The first thing to change when a model does not fit a budget from this source. */
    public String remedy() {
        return remedy;
    }
}
