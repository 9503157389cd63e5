package io.quiver.bench.results;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** Results as JSON under {@code <root>/<date>/<scenario>-<time>.json}, so that runs of a day sit together. */
public final class ResultsStore {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss");

    /**
     * Where results go unless {@code --results} says otherwise: outside the source tree, so that a run leaves the
     * checkout clean; pass {@code --results bench/results} to file a run with the repository.
     */
    public static final String DEFAULT_ROOT = "${sys:user.home}/.cache/quiver/bench-results";

    private final Path root;

    public ResultsStore(Path root) {
        this.root = root;
    }

    public Path today() {
        return root.resolve(LocalDate.now().toString());
    }

    /** Writes {@code value} and returns the file. */
    public Path write(String scenario, Object value) {
        try {
            Path dir = today();
            Files.createDirectories(dir);
            Path file = dir.resolve(scenario + "-" + LocalTime.now().format(TIME) + ".json");
            JSON.writeValue(file.toFile(), value);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
