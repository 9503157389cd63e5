package io.quiver.bench.compare;

import java.nio.file.Path;

/**
 * The chat weights a servers run measures, in every form its sides load: the Optimum folder (fp32 model.onnx and
 * 4-bit model_q4.onnx), onnxruntime-genai's model-builder export of the same weights in {@code <folder>-genai}, and
 * llama.cpp's GGUFs of them.
 *
 * @param alias   the model name both sides serve it under
 * @param optimum the Optimum / onnx-community folder
 * @param builder the model-builder folder (genai_config.json, GroupQueryAttention)
 * @param ggufDir where the GGUFs are, each {@code <ggufStem>.<type>.gguf}
 */
public record ChatFamily(String key, String alias, Path optimum, Path builder, Path ggufDir, String ggufStem,
                         String prepare) {

    /**
     * SmolLM2-135M-Instruct, the real model: the folder of models/fixtures/real/prepare-smollm2.sh, its builder
     * export beside it, and the GGUFs bench/peers/llama-server.sh writes (the package's Q4_1, F16/F32 from it, Q4_0
     * from the F32).
     */
    public static ChatFamily smollm2(Path folder, Path peersDir) {
        Path dir = folder.toAbsolutePath();
        return new ChatFamily("smollm2", "smollm2", dir, sibling(dir, "-genai"),
                peersDir.toAbsolutePath().resolve("llama.cpp/models"), "smollm2-135m-instruct",
                "models/fixtures/real/prepare-smollm2.sh");
    }

    /**
     * The random-weight DeepSeek-R1-Distill-Qwen-1.5B shape of bench/shapes: make-r1-shapes.sh's Optimum folder,
     * make-r1-genai.sh's builder export beside it ({@code -genai}) and make-r1-gguf.sh's GGUFs ({@code -gguf}).
     */
    public static ChatFamily r1Shape(Path folder) {
        Path dir = folder.toAbsolutePath();
        return new ChatFamily("r1-shape", "r1", dir, sibling(dir, "-genai"), sibling(dir, "-gguf"),
                "r1-distill-qwen-1.5b-shape", "bench/shapes/make-r1-shapes.sh, make-r1-genai.sh, make-r1-gguf.sh");
    }

    public static ChatFamily named(String key, Path smollm2, Path r1Shape, Path peersDir) {
        return switch (key) {
            case "smollm2" -> smollm2(smollm2, peersDir);
            case "r1-shape" -> r1Shape(r1Shape);
            default -> throw new IllegalArgumentException("unknown chat model " + key + " (smollm2, r1-shape)");
        };
    }

    public Path gguf(String type) {
        return ggufDir.resolve(ggufStem + "." + type + ".gguf");
    }

    private static Path sibling(Path dir, String suffix) {
        return dir.resolveSibling(dir.getFileName() + suffix);
    }
}
