package io.quiver.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** The committed fixtures and their golden outputs, as tests reach them. */
public final class Fixtures {
    private static final Path CACHE = Path.of("target", "embedded-models");
    private static final Path TEST_MODELS = Path.of("target", "test-models");

    private Fixtures() {
    }

    /** An embedded model (a fixture folder or MiniLM), materialised the same way the server does it. */
    public static Path model(String name) {
        return EmbeddedModels.materialize(EmbeddedModels.SCHEME + name, CACHE);
    }

    /**
     * A test-only model folder, assembled under target/ from the test resources {@code fixtures/<name>/}: its
     * {@code files.txt} lists the folder's files, and a line {@code <file> from <embedded>} takes that file from an
     * embedded fixture (the graphs and tokenizer the app already ships are not committed twice).
     */
    public static Path testModel(String name) {
        Path folder = TEST_MODELS.resolve(name);
        String base = "/fixtures/" + name + "/";
        try {
            for (String line : resource(base + "files.txt").lines().filter(l -> !l.isBlank()).toList()) {
                String[] parts = line.split(" from ");
                Path target = folder.resolve(parts[0]);
                Files.createDirectories(target.getParent());
                if (parts.length == 2) {
                    Path source = model(parts[1]).resolve(parts[0]);
                    if (!Files.exists(target) || Files.size(target) != Files.size(source)) {
                        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                } else {
                    try (InputStream in = Fixtures.class.getResourceAsStream(base + parts[0])) {
                        if (in == null) {
                            throw new IllegalStateException("test fixture file " + base + parts[0] + " is missing");
                        }
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The kind of CPU a golden's int8 results were recorded on: onnxruntime's int8 kernels multiply exactly with VNNI
     * and saturate with AVX2's byte products, so their greedy ids differ between the two (the fixture generators
     * name the kinds as exports.py's cpu_isa does).
     */
    public static String cpuIsa() {
        List<String> flags = CpuInfo.flags();
        return flags.contains("avx512_vnni") || flags.contains("avx_vnni") ? "vnni" : "avx2";
    }

    public static JsonNode golden(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/golden/" + name + ".json")) {
            if (in == null) {
                throw new IllegalStateException("golden file " + name + " is not on the test classpath");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
