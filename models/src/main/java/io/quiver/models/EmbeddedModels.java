package io.quiver.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URL;
import java.nio.file.Path;
import java.util.Map;

/**
 * Models that ship inside the application's jars, so the server answers with no configuration and no download:
 * the real all-MiniLM-L6-v2 (from langchain4j's Maven artifact) and the random-weight fixtures. ONNX Runtime and
 * the tokenizer want files, so each is copied once into the cache folder and reused on later starts while it is
 * still the application's own ({@link CachedCopy}).
 */
public final class EmbeddedModels {
    private static final System.Logger LOG = System.getLogger(EmbeddedModels.class.getName());
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

    /**
     * Resolves {@code embedded:<name>} to a folder under {@code cacheDir} (opened as {@link CacheFolder#open} does),
     * copying the files that are missing or not the application's.
     */
    public static Path materialize(String path, Path cacheDir) {
        String name = path.substring(SCHEME.length());
        Path root = CacheFolder.open(cacheDir);
        Map<String, String> files = FILES.get(name);
        if (files != null) {
            files.forEach((file, resource) -> copy("/" + resource, root, name, file));
            return root.resolve(name);
        }
        return materializeFixture(name, root);
    }

    /**
     * A fixture folder under {@code fixtures/<name>/}, listed by its {@code files.txt}; a line
     * {@code <file> from <fixture>} takes that file from another fixture (fixtures sharing a tokenizer ship it once).
     */
    private static Path materializeFixture(String name, Path root) {
        String base = "/fixtures/" + name + "/";
        try (InputStream index = EmbeddedModels.class.getResourceAsStream(base + "files.txt")) {
            if (index == null) {
                throw new ModelLoadException(Path.of(SCHEME + name), "no such embedded model");
            }
            for (String line : new String(index.readAllBytes()).lines().filter(l -> !l.isBlank()).toList()) {
                String[] parts = line.split(" from ");
                String from = parts.length == 2 ? "/fixtures/" + parts[1] + "/" : base;
                copy(from + parts[0], root, name, parts[0]);
            }
            return root.resolve(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a resource to {@code root/name/file} unless a trusted copy of it is there already. */
    private static void copy(String resource, Path root, String name, String file) {
        URL url = EmbeddedModels.class.getResource(resource);
        Path target = root.resolve(name).resolve(file);
        if (url == null) {
            throw new ModelLoadException(target, "classpath resource " + resource + " is missing");
        }
        try {
            Path relative = Path.of(name, file).getParent();
            String[] folders = new String[relative.getNameCount()];
            for (int i = 0; i < folders.length; i++) {
                folders[i] = relative.getName(i).toString();
            }
            CacheFolder.folder(root, folders);
            CachedCopy.ensure(url, target).ifPresent(why -> LOG.log(Level.WARNING, "replaced the cached {0}: it "
                    + "{1}", target, why));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + resource + " to " + target, e);
        }
    }
}
