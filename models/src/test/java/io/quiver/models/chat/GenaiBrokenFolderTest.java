package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.gpu.Placement;
import io.quiver.models.MemoryEstimate;
import io.quiver.models.ModelKind;
import io.quiver.models.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * onnxruntime-genai folders with a piece missing or wrong fail while loading, with one line that names the piece
 * (the fit check, which runs first, fails the same way where it reads the same piece).
 */
class GenaiBrokenFolderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aMissingGraphFileIsNamed() throws IOException {
        Path folder = copy(config -> ((ObjectNode) config.path("model").path("decoder")).put("filename", "gone.onnx"));
        String message = fails(folder);
        assertTrue(message.endsWith("no ONNX model (looked for gone.onnx)"), message);
        assertEquals(message, assertThrows(ModelLoadException.class,
                () -> MemoryEstimate.of(folder, ModelKind.CHAT, null, 0, 1)).getMessage());
    }

    @Test
    void aMissingFilenameIsNamed() throws IOException {
        String message = fails(copy(config -> ((ObjectNode) config.path("model").path("decoder")).remove("filename")));
        assertTrue(message.endsWith("genai_config.json: no model.decoder.filename"), message);
    }

    @Test
    void aMissingContextLengthIsNamed() throws IOException {
        String message = fails(copy(config -> ((ObjectNode) config.path("model")).remove("context_length")));
        assertTrue(message.endsWith("genai_config.json: no model.context_length"), message);
    }

    @Test
    void pastNamesTheGraphLacksAreNamed() throws IOException {
        String message = fails(copy(config -> ((ObjectNode) config.path("model").path("decoder").path("inputs"))
                .put("past_key_names", "past.%d.key")));
        assertTrue(message.endsWith("model.onnx: decoder graph has no input past.0.key (export with KV cache)"),
                message);
    }

    @Test
    void aWrongHeadSizeIsNamed() throws IOException {
        String message = fails(copy(config -> ((ObjectNode) config.path("model").path("decoder"))
                .put("head_size", 8)));
        // The graph declares the head size symbolic: onnxruntime's own check on one token names the real one.
        assertTrue(message.endsWith("genai_config.json: model.decoder.num_key_value_heads/head_size are 2/8 but "
                + "model.onnx fails on them: Input 'past_key' dimension 3 should match the packed KV head dimension, "
                + "got 8 expected 16"), message);
    }

    @Test
    void aVisionPipelineIsNamed() throws IOException {
        String message = fails(copy(config -> ((ObjectNode) config.path("model")).putObject("vision")
                .put("filename", "vision.onnx")));
        assertTrue(message.endsWith("genai_config.json: model.vision is a multi-part pipeline; only a single decoder "
                + "graph is served"), message);
    }

    @Test
    void aSharedBufferWithoutGroupQueryAttentionIsNamed() throws IOException {
        // Optimum's graph (plain attention over the whole past) under a genai_config.json that asks for one
        // max-length buffer: it would attend to the unwritten rest, so it must not load.
        Path folder = copy(config -> {
            ObjectNode decoder = (ObjectNode) config.path("model").path("decoder");
            decoder.put("filename", "onnx/model.onnx").put("head_size", 2);
        });
        Path r1 = ChatFixture.folder().resolve("onnx");
        Files.createDirectories(folder.resolve("onnx"));
        for (String f : new String[] {"model.onnx", "model.onnx_data"}) {
            Files.copy(r1.resolve(f), folder.resolve("onnx").resolve(f));
        }
        String message = fails(folder);
        assertTrue(message.endsWith("genai_config.json: search.past_present_share_buffer is true but model.onnx has "
                + "no GroupQueryAttention; set it false"), message);
    }

    @Test
    void aContextPastTheExportIsNamed() {
        // The builder bakes the rotary tables (context_length rows) into the graph.
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ChatEngine.load(GenaiExportTest.folder(),
                Placement.CPU, ChatOptions.defaults().withContextLength(1024)).close());
        assertTrue(e.getMessage().endsWith("genai_config.json: context length 1024 is over the export's 512 "
                + "(model.context_length, search.max_length)"), e.getMessage());
    }

    @Test
    void corruptGenaiConfigIsNamed() throws IOException {
        Path folder = copy(config -> { });
        Files.writeString(folder.resolve("genai_config.json"), "{\"model\": ");
        String message = fails(folder);
        assertTrue(message.contains("genai_config.json: not valid JSON"), message);
    }

    private static String fails(Path folder) {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> ChatModel.open(folder, Placement.CPU, null).close());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    /** The fixture folder copied, its genai_config.json edited. */
    private Path copy(Consumer<ObjectNode> edit) throws IOException {
        Path source = GenaiExportTest.folder();
        Path target = Files.createDirectory(dir.resolve("genai"));
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        ObjectNode config = (ObjectNode) JSON.readTree(target.resolve("genai_config.json").toFile());
        edit.accept(config);
        JSON.writeValue(target.resolve("genai_config.json").toFile(), config);
        return target;
    }
}
