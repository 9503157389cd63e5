package io.quiver.gpu;

import java.util.Locale;

/** {@code quiver.gpu.on-insufficient-memory}: what to do when a model does not fit the GPU budget. */
public enum InsufficientMemoryPolicy {
    /** Refuse to start with one clear line: a pod that silently runs on the CPU looks healthy and serves slowly. */
    FAIL,
    /** Load the model on the CPU instead, logged as a warning. */
    CPU;

    public static InsufficientMemoryPolicy parse(String text) {
        if (text == null || text.isBlank()) {
            return FAIL;
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "fail" -> FAIL;
            case "cpu" -> CPU;
            default -> throw new IllegalArgumentException("quiver.gpu.on-insufficient-memory=" + text
                    + " is not a policy; use fail or cpu");
        };
    }
}
