package io.quiver.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;

/**
 * Models that ship inside the application's jars, so the server answers with no configuration and no download:
 * the real all-MiniLM-L6-v2 (from langchain4j's Maven artifact) and the random-weight fixtures. ONNX Runtime and
 * the tokenizer want files, so each is copied once into a cache folder and reused on later starts.
 */
public final class EmbeddedModels {
    /** The {@code path} prefix that names an embedded model instead of a folder. */
    public static final String SCHEME = "embedded:";
    public static final String MINILM = "all-minilm-l6-v2";

    /** For each embedded model: file in the folder → classpath resource. */
    private static final Map<String, Map<String, String>> FILES = Map.of(
            MINILM, Map.of(
                    "model.onnx", "all-minilm-l6-v2.onnx",
                    "tokenizer.json", "all-minilm-l6-v2-tokenizer.json",
                    "config.json", "embedded/all-minilm-l6-v2/config.json",
                    "sentence_bert_config.json", "embedded/all-minilm-l6-v2/sentence_bert_config.json",
                    "1_Pooling/config.json", "embedded/all-minilm-l6-v2/1_Pooling/config.json"));

    private EmbeddedModels() {
    }

    public static boolean isEmbedded(String path) {
        return path.startsWith(SCHEME);
    }

    /** Resolves {@code embedded:<name>} to a folder under {@code cacheDir}, copying files that are missing. */
    public static Path materialize(String path, Path cacheDir) {
        String name = path.substring(SCHEME.length());
        Map<String, String> files = FILES.get(name);
        if (files != null) {
            Path folder = cacheDir.resolve(name);
            files.forEach((file, resource) -> copy("/" + resource, folder.resolve(file)));
            return folder;
        }
        return materializeFixture(name, cacheDir);
    }

    /**
     * A fixture folder under {@code fixtures/<name>/}, listed by its {@code files.txt}; a line
     * {@code <file> from <fixture>} takes that file from another fixture (fixtures sharing a tokenizer ship it once).
     */
    private static Path materializeFixture(String name, Path cacheDir) {
        String base = "/fixtures/" + name + "/";
        try (InputStream index = EmbeddedModels.class.getResourceAsStream(base + "files.txt")) {
            if (index == null) {
                throw new ModelLoadException(Path.of(SCHEME + name), "no such embedded model");
            }
            Path folder = cacheDir.resolve(name);
            for (String line : new String(index.readAllBytes()).lines().filter(l -> !l.isBlank()).toList()) {
                String[] parts = line.split(" from ");
                String from = parts.length == 2 ? "/fixtures/" + parts[1] + "/" : base;
                copy(from + parts[0], folder.resolve(parts[0]));
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a resource unless the target already has its size and time (a rebuilt fixture has a new time). */
    private static void copy(String resource, Path target) {
        try (InputStream in = EmbeddedModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ModelLoadException(target, "classpath resource " + resource + " is missing");
            }
            URLConnection source = EmbeddedModels.class.getResource(resource).openConnection();
            long size = source.getContentLengthLong();
            long time = source.getLastModified();
            if (Files.exists(target) && size >= 0 && Files.size(target) == size && time > 0
                    && Files.getLastModifiedTime(target).toMillis() == time) {
                return;
            }
            Files.createDirectories(target.getParent());
            Path partial = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            if (time > 0) {
                Files.setLastModifiedTime(partial, FileTime.fromMillis(time));
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + resource + " to " + target, e);
        }
    }
}
