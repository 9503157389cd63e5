package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quiver.models.EmbeddedModels;
import io.quiver.models.ModelKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The size a model's "loading" line gives is what its load reads: for a chat model, only the graph configured. */
class LoadLogTest {
    @Test
    void aChatModelCountsItsConfiguredGraphAndNotTheOthers() throws IOException {
        Path folder = EmbeddedModels.materialize(EmbeddedModels.SCHEME + "tiny-random-deepseek-r1",
                Path.of(PreloadTest.CACHE));
        long shared = size(folder, f -> !f.getFileName().toString().contains(".onnx"));
        long fp32 = size(folder.resolve("onnx"), f -> f.getFileName().toString().startsWith("model.onnx"));
        long fp16 = size(folder.resolve("onnx"), f -> f.getFileName().toString().startsWith("model_fp16.onnx"));
        assertEquals(shared + fp32, LoadLog.bytes(folder, ModelKind.CHAT, null));
        assertEquals(shared + fp16, LoadLog.bytes(folder, ModelKind.CHAT, "fp16"));
        // Any other kind reads its whole folder.
        assertEquals(shared + fp32 + fp16, LoadLog.bytes(folder, ModelKind.EMBEDDING, null));
    }

    @Test
    void aLoadsPartsFollowItsWarmLineInTheOrderTheyRan() {
        java.util.Map<String, Long> parts = new java.util.LinkedHashMap<>();
        parts.put("session", 812L);
        parts.put("tokenizer", 450L);
        parts.put("engine", 30L);
        assertEquals(" (session 812 ms, tokenizer 450 ms, engine 30 ms)", LoadLog.parts(parts));
        assertEquals("", LoadLog.parts(java.util.Map.of()));
    }

    private static long size(Path dir, java.util.function.Predicate<Path> which) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(which).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
