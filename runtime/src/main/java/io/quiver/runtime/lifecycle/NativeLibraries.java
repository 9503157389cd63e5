package io.quiver.runtime.lifecycle;

import io.quiver.models.CacheFolder;
import io.quiver.models.CachedCopy;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Cold start: ONNX Runtime's Java binding copies its native libraries (tens of MB) out of its jar into a fresh
 * temporary folder on every start. Copied once into the cache folder instead, and pointed at with
 * {@code onnxruntime.native.path}, later starts (and images whose cache was filled at build time) load them in
 * place. Native code runs inside the server, so a copy is loaded only while it is the jar's own ({@link CachedCopy}:
 * private, same size and CRC-32 as the jar's entry; otherwise it is copied again), and the folder holds no library
 * the jar does not ship (the binding would load it from there). Whatever cannot be made so leaves the binding to do
 * what it always does, with one line saying why.
 */
final class NativeLibraries {
    private static final Logger LOG = Logger.getLogger(NativeLibraries.class);
    private static final String PROPERTY = "onnxruntime.native.path";
    private static final String[] LIBRARIES = {"onnxruntime", "onnxruntime4j_jni", "onnxruntime_providers_shared",
        "onnxruntime_providers_cuda", "onnxruntime_providers_tensorrt"};

    private NativeLibraries() {
    }

    static void pinOnnxRuntime(Path cacheDir) {
        String platform = platform();
        if (System.getProperty(PROPERTY) == null && platform != null) {
            unpack(cacheDir, platform).ifPresent(dir -> System.setProperty(PROPERTY, dir.toString()));
        }
    }

    /** The folder under the cache holding exactly the jar's libraries for {@code platform}, or empty. */
    static Optional<Path> unpack(Path cacheDir, String platform) {
        try {
            Path dir = CacheFolder.folder(CacheFolder.open(cacheDir), "native", platform);
            boolean any = false;
            for (String library : LIBRARIES) {
                String file = "lib" + library + ".so";
                URL resource = NativeLibraries.class.getResource("/ai/onnxruntime/native/" + platform + "/" + file);
                Path target = dir.resolve(file);
                if (resource == null) {
                    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                        Files.delete(target);
                    }
                    continue;
                }
                any = true;
                CachedCopy.ensure(resource, target).ifPresent(why -> LOG.warnf("replaced the cached %s: it %s",
                        target, why));
            }
            return any ? Optional.of(dir) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warnf("ONNX Runtime's native libraries are not loaded from the cache folder: %s", e.getMessage());
            return Optional.empty();
        }
    }

    private static String platform() {
        if (!System.getProperty("os.name", "").toLowerCase().startsWith("linux")) {
            return null;
        }
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "linux-x64";
            case "aarch64" -> "linux-aarch64";
            default -> null;
        };
    }
}
