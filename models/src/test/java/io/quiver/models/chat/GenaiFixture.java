package io.quiver.models.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The model builder's tiny fixture for tests outside this package: a copy, greedy ids, and its golden ids. */
public final class GenaiFixture {
    private GenaiFixture() {
    }

    /** A copy of the fixture's files in {@code dir} (so a test may change their times or cache them apart). */
    public static Path copyTo(Path dir) {
        try {
            Path folder = Files.createDirectories(dir.resolve(GenaiExportTest.NAME));
            try (var files = Files.list(GenaiExportTest.folder())) {
                for (Path f : files.toList()) {
                    Files.copy(f, folder.resolve(f.getFileName()));
                }
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Greedy ids of the golden's first prompt, from a fresh engine on the folder's graph. */
    public static int[] greedy(Path folder, int tokens) {
        try (ChatEngine engine = ChatEngine.load(folder, Placement.CPU, new ChatOptions(1, null, null, true, 0))) {
            return engine.generate(ChatFixture.greedy(prompt(), tokens)).tokenIds();
        }
    }

    /** onnxruntime-genai's own greedy ids for that prompt. */
    public static int[] goldenIds(int tokens) {
        return Arrays.copyOf(ChatFixture.ints(firstCase().path("genai_ids")), tokens);
    }

    private static int[] prompt() {
        return ChatFixture.ints(firstCase().path("prompt_ids"));
    }

    private static JsonNode firstCase() {
        return GenaiExportTest.GOLDEN.path("cases").get(0);
    }
}
