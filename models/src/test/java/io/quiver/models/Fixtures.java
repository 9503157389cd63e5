package io.quiver.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The committed fixtures and their golden outputs, as tests reach them. */
public final class Fixtures {
    private static final Path CACHE = Path.of("target", "embedded-models");

    private Fixtures() {
    }

    /** An embedded model (a fixture folder or MiniLM), materialised the same way the server does it. */
    public static Path model(String name) {
        return EmbeddedModels.materialize(EmbeddedModels.SCHEME + name, CACHE);
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
}
