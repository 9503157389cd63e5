package io.quiver.gpu;

/**
 * The GPU memory a model needs before it may load: weights, the KV cache at the largest context and batch it will
 * serve, and a workspace margin for activations and cuBLAS/cuDNN scratch. models/ computes the parts.
 */
public record MemoryNeed(long weightsBytes, long kvCacheBytes, long workspaceBytes) {
    /** Activations and library scratch rarely stay under this, whatever the model. */
    public static final long MIN_WORKSPACE_BYTES = 256L << 20;

    public MemoryNeed {
        if (weightsBytes < 0 || kvCacheBytes < 0 || workspaceBytes < 0) {
            throw new IllegalArgumentException("memory need parts must not be negative");
        }
    }

    /** With the default workspace margin: a tenth of the weights, at least {@link #MIN_WORKSPACE_BYTES}. */
    public static MemoryNeed of(long weightsBytes, long kvCacheBytes) {
        return new MemoryNeed(weightsBytes, kvCacheBytes, Math.max(MIN_WORKSPACE_BYTES, weightsBytes / 10));
    }

    public long totalBytes() {
        return weightsBytes + kvCacheBytes + workspaceBytes;
    }

    /** E.g. {@code 7.9 GiB (weights 3.4 GiB + KV cache 4.0 GiB + workspace 512.0 MiB)}. */
    public String describe() {
        return ByteSize.format(totalBytes()) + " (weights " + ByteSize.format(weightsBytes) + " + KV cache "
                + ByteSize.format(kvCacheBytes) + " + workspace " + ByteSize.format(workspaceBytes) + ")";
    }
}
