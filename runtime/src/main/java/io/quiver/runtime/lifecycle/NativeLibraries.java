package io.quiver.runtime.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.jboss.logging.Logger;

/**
 * Cold start: ONNX Runtime's Java binding copies its native libraries (tens of MB) out of its jar into a fresh
 * temporary folder on every start. Copied once into the cache folder instead, and pointed at with
 * {@code onnxruntime.native.path}, later starts (and images whose cache was filled at build time) load them in
 * place. Any failure leaves the binding to do what it always does.
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
        if (System.getProperty(PROPERTY) != null || platform == null) {
            return;
        }
        try {
            Path dir = cacheDir.resolve("native").resolve(platform);
            boolean any = false;
            for (String library : LIBRARIES) {
                String file = "lib" + library + ".so";
                URL resource = NativeLibraries.class.getResource("/ai/onnxruntime/native/" + platform + "/" + file);
                if (resource == null) {
                    continue;
                }
                any = true;
                URLConnection connection = resource.openConnection();
                long size = connection.getContentLengthLong();
                Path target = dir.resolve(file);
                if (Files.exists(target) && Files.size(target) == size) {
                    continue;
                }
                Files.createDirectories(dir);
                Path partial = Files.createTempFile(dir, file, ".part");
                try (InputStream in = connection.getInputStream()) {
                    Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            if (any) {
                System.setProperty(PROPERTY, dir.toString());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debugf(e, "ONNX Runtime's native libraries stay where the binding puts them");
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
