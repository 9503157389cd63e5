package io.quiver.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A Hugging Face-style model folder on disk: JSON configs, tokenizer, ONNX graphs. */
public record ModelFolder(Path root) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static ModelFolder of(Path root) {
        if (!Files.isDirectory(root)) {
            throw new ModelLoadException(root, "model folder does not exist or is not a directory");
        }
        return new ModelFolder(root);
    }

    /** config.json, or a missing node when the folder has none. */
    public JsonNode config() {
        return json("config.json");
    }

    /** A JSON file of the folder, or a missing node when absent; a corrupt file is a load error naming it. */
    public JsonNode json(String relative) {
        Path file = root.resolve(relative);
        if (!Files.exists(file)) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            // The parser's own message quotes the file's content (a key file pointed at by mistake, say): only
            // where it broke goes to the log.
            var at = e.getLocation();
            throw new ModelLoadException(file, "not valid JSON" + (at == null ? ""
                    : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new ModelLoadException(file, "not readable: " + e.getClass().getSimpleName());
        }
    }

    /** The first file that exists among the candidates (relative to the folder). */
    public Path require(String what, List<String> candidates) {
        for (String candidate : candidates) {
            Path file = root.resolve(candidate);
            if (Files.isRegularFile(file)) {
                if (!Files.isReadable(file)) {
                    throw new ModelLoadException(file, "not readable");
                }
                return file;
            }
        }
        throw new ModelLoadException(root, "no " + what + " (looked for " + String.join(", ", candidates) + ")");
    }

    /** The encoder or decoder graph: model.onnx at the top or under onnx/, as Optimum and transformers.js export it. */
    public Path onnxModel() {
        return require("ONNX model", List.of("model.onnx", "onnx/model.onnx"));
    }

    public Path tokenizer() {
        return require("tokenizer", List.of("tokenizer.json"));
    }
}
