package io.quiver.runtime.lifecycle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The inference gateway's endpoint picker collecting one server's metrics once, with its own data source and
 * extractor (deployment/gateway/msp-scrape, built from the Go module proxy), as a process.
 */
final class MspScrape {
    static final Path CONFIG = QueueProxy.repositoryRoot().resolve("deployment/gateway/endpoint-picker-config.yaml");
    /** The pod label from which the picker's extractor picks its per-engine metric mapping. */
    static final String ENGINE_LABEL = "inference.networking.k8s.io/engine-type";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the picker read: its metrics of the endpoint as JSON, and how the tool ended. */
    record Reading(int exit, JsonNode metrics, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + ": " + metrics + (stderr.isBlank() ? "" : "\n" + stderr);
        }
    }

    private MspScrape() {
    }

    /** Builds (or finds, the second time) the tool with the repository's script; fails with its one-line reason. */
    static Path build() throws IOException, InterruptedException {
        Path script = QueueProxy.repositoryRoot().resolve("deployment/gateway/build-msp-scrape.sh");
        Path err = Files.createTempFile("build-msp-scrape", ".log");
        long start = System.nanoTime();
        Process build = new ProcessBuilder("bash", script.toString()).redirectError(err.toFile()).start();
        String stdout = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean done = build.waitFor(30, TimeUnit.MINUTES);
        String stderr = Files.readString(err).strip();
        Files.deleteIfExists(err);
        if (!done || build.exitValue() != 0) {
            build.destroyForcibly();
            throw new AssertionError(stderr.lines().reduce((a, b) -> b).orElse(script + " failed with no message"));
        }
        Path binary = Path.of(stdout.lines().reduce((a, b) -> b).orElse(""));
        if (!Files.isExecutable(binary)) {
            throw new AssertionError(script + " printed no executable: " + stdout + "\n" + stderr);
        }
        System.out.printf("msp-scrape ready in %d ms: %s%n", (System.nanoTime() - start) / 1_000_000, binary);
        return binary;
    }

    /** One collection from {@code hostPort}, the endpoint's pod carrying {@code labels} (key=value). */
    static Reading run(Path binary, String hostPort, String... labels) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "-config", CONFIG.toString(),
                "-endpoint", hostPort));
        for (String label : labels) {
            command.addAll(List.of("-label", label));
        }
        Path err = Files.createTempFile("msp-scrape", ".log");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("msp-scrape still running after 30 s");
        }
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        if (stdout.isBlank()) {
            throw new AssertionError("msp-scrape printed nothing (exit " + p.exitValue() + "): " + stderr);
        }
        return new Reading(p.exitValue(), JSON.readTree(stdout), stderr);
    }
}
