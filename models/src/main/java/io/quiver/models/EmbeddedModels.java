package io.quiver.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

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
     * copying the files that are missing or not the application's. A model the folder holds whole is read in place,
     * so a cache baked into an image serves it read-only; what such a cache lacks is copied where this process may
     * write ({@link CacheFolder#forWriting}).
     */
    public static Path materialize(String path, Path cacheDir) {
        Path root = CacheFolder.open(cacheDir);
        return materialize(path, root, () -> CacheFolder.forWriting(root));
    }

    /** {@link #materialize(String, Path)} in the opened {@code root}; {@code writable}: where to copy, if need be. */
    static Path materialize(String path, Path root, Supplier<Path> writable) {
        String name = path.substring(SCHEME.length());
        Map<String, URL> files = files(name);
        if (holdsAll(root, name, files)) {
            return root.resolve(name);
        }
        Path target = writable.get();
        if (!target.equals(root)) {
            LOG.log(Level.INFO, "the cache folder {0} cannot be written by this process and lacks {1}: copied to {2}",
                    root, name, target);
        }
        files.forEach((file, url) -> copy(url, target, name, file));
        return target.resolve(name);
    }

    /**
     * File in the model's folder → its class-path resource. A fixture is listed by its {@code fixtures/<name>/}
     * folder's {@code files.txt}, where a line {@code <file> from <fixture>} takes that file from another fixture
     * (fixtures sharing a tokenizer ship it once).
     */
    private static Map<String, URL> files(String name) {
        Map<String, URL> out = new LinkedHashMap<>();
        Map<String, String> shipped = FILES.get(name);
        if (shipped != null) {
            shipped.forEach((file, resource) -> out.put(file, resource("/" + resource, name, file)));
            return out;
        }
        String base = "/fixtures/" + name + "/";
        try (InputStream index = EmbeddedModels.class.getResourceAsStream(base + "files.txt")) {
            if (index == null) {
                throw new ModelLoadException(Path.of(SCHEME + name), "no such embedded model");
            }
            for (String line : new String(index.readAllBytes()).lines().filter(l -> !l.isBlank()).toList()) {
                String[] parts = line.split(" from ");
                String from = parts.length == 2 ? "/fixtures/" + parts[1] + "/" : base;
                out.put(parts[0], resource(from + parts[0], name, parts[0]));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static URL resource(String resource, String name, String file) {
        URL url = EmbeddedModels.class.getResource(resource);
        if (url == null) {
            throw new ModelLoadException(Path.of(name, file), "classpath resource " + resource + " is missing");
        }
        return url;
    }

    /** Whether every file is a trusted copy under {@code root/name}, in trusted folders: nothing to write. */
    private static boolean holdsAll(Path root, String name, Map<String, URL> files) {
        try {
            for (Map.Entry<String, URL> f : files.entrySet()) {
                Path target = root.resolve(name).resolve(f.getKey());
                for (Path dir = target.getParent(); !dir.equals(root); dir = dir.getParent()) {
                    if (CacheFolder.distrust(dir, true).isPresent()) {
                        return false;
                    }
                }
                if (!CachedCopy.holds(f.getValue(), target)) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Copies a resource to {@code root/name/file} unless a trusted copy of it is there already. */
    private static void copy(URL url, Path root, String name, String file) {
        Path target = root.resolve(name).resolve(file);
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
            throw new UncheckedIOException("cannot copy " + url + " to " + target, e);
        }
    }
}
