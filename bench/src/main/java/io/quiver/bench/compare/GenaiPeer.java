package io.quiver.bench.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.bench.load.LevelRecorder;
import io.quiver.bench.load.Outcome;
import io.quiver.bench.results.LevelResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * onnxruntime-genai's Generator behind bench/peers/genai_generate.py --serve: one process, the model loaded once, a
 * static batch per line asked for. A level runs batches of {@code streams} rows back to back for its duration after
 * one warm-up batch, as {@code bench load}'s closed loop runs requests; each row becomes one request's outcome (its
 * TTFT, the batch's decode steps as its inter-token gaps), so both sides are summarised the same way.
 */
final class GenaiPeer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final Deque<String> log = new ArrayDeque<>();
    private final long startNanos = System.nanoTime();

    GenaiPeer(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        process = builder.start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("genai-stderr").start(() -> {
            try (BufferedReader err = process.errorReader(StandardCharsets.UTF_8)) {
                for (String line; (line = err.readLine()) != null; ) {
                    synchronized (log) {
                        log.addLast(line);
                        if (log.size() > 40) {
                            log.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    /** Seconds from process start to the model loaded (the script's ready line). */
    double awaitReady() throws IOException {
        JsonNode line = next();
        if (!line.path("ready").asBoolean()) {
            throw new IOException("unexpected first line " + line);
        }
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The greedy answer to one user prompt, {@code maxTokens} tokens, as the script decodes it. */
    String answer(String prompt, int maxTokens) throws IOException {
        ObjectNode ask = JSON.createObjectNode().put("max_tokens", maxTokens).put("text", true);
        ask.putArray("messages").addArray().addObject().put("role", "user").put("content", prompt);
        in.write(ask + "\n");
        in.flush();
        JsonNode answer = next();
        if (answer.has("error")) {
            throw new IOException(answer.path("error").asText());
        }
        return answer.path("texts").path(0).asText();
    }

    /** One level: batches of {@code streams} prompts, each the next of {@code prompt}, for {@code duration}. */
    LevelResult level(int streams, Duration duration, int maxTokens, Supplier<String> prompt) {
        try {
            batch(streams, maxTokens, prompt, null);
            LevelRecorder recorder = new LevelRecorder();
            long start = System.nanoTime();
            long deadline = start + duration.toNanos();
            do {
                batch(streams, maxTokens, prompt, recorder);
            } while (System.nanoTime() < deadline);
            return recorder.result(streams, (System.nanoTime() - start) / 1e9);
        } catch (IOException e) {
            throw new ServersSuite.PeerFailed("onnxruntime-genai: " + e.getMessage() + "; log tail: " + tail());
        }
    }

    private void batch(int rows, int maxTokens, Supplier<String> prompt, LevelRecorder recorder)
            throws IOException {
        ObjectNode ask = JSON.createObjectNode().put("max_tokens", maxTokens);
        ArrayNode messages = ask.putArray("messages");
        for (int r = 0; r < rows; r++) {
            messages.addArray().addObject().put("role", "user").put("content", prompt.get());
        }
        in.write(ask + "\n");
        in.flush();
        JsonNode answer = next();
        if (answer.has("error")) {
            throw new IOException(answer.path("error").asText());
        }
        if (recorder == null) {
            return;
        }
        long[] gaps = new long[answer.path("gaps_ns").size()];
        for (int i = 0; i < gaps.length; i++) {
            gaps[i] = answer.path("gaps_ns").get(i).asLong();
        }
        for (JsonNode promptTokens : answer.path("prompt_tokens")) {
            recorder.record(new Outcome(200, null, answer.path("ttft_ns").asLong(), answer.path("e2e_ns").asLong(),
                    gaps, gaps.length + 1, promptTokens.asInt()));
        }
    }

    private JsonNode next() throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new IOException("the script exited (status " + (process.isAlive() ? "?" : process.exitValue())
                    + ")");
        }
        return JSON.readTree(line);
    }

    boolean alive() {
        return process.isAlive();
    }

    String tail() {
        synchronized (log) {
            return String.join(" | ", log.stream().skip(Math.max(0, log.size() - 6)).toList());
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            in.close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
