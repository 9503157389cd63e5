package io.quiver.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * An OpenAI-compatible client that times what users feel: the first token, each token after it, the last byte.
 * Streams are read line by line through {@link SseParser} so every event is timestamped when it arrives.
 * HTTP/1.1 only: an h2c upgrade attempt would add a round trip to every new connection.
 */
public final class OpenAiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;
    private final String apiKey;
    private final Duration timeout;

    public OpenAiClient(URI base, String apiKey, Duration timeout) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.base = base;
        this.apiKey = apiKey;
        this.timeout = timeout;
    }

    public Outcome call(Route route, String body, boolean stream) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(route.path())).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null && !apiKey.isBlank()) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        long start = System.nanoTime();
        try {
            HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = response.body()) {
                if (response.statusCode() != 200) {
                    lines.forEach(l -> { }); // drain, so that the connection is reused
                    return Outcome.failed(response.statusCode(), "HTTP " + response.statusCode(),
                            System.nanoTime() - start);
                }
                return stream ? readStream(lines.iterator(), start) : readWhole(lines.iterator(), route, start);
            }
        } catch (IOException | RuntimeException e) {
            return Outcome.failed(0, e.getClass().getSimpleName() + ": " + e.getMessage(), System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed(0, "interrupted", System.nanoTime() - start);
        }
    }

    /** The text of a whole (not streamed) answer: the first choice's message content, or its text for completions. */
    public String answer(Route route, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(route.path())).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null && !apiKey.isBlank()) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + ": " + response.body());
        }
        JsonNode choice = JSON.readTree(response.body()).path("choices").path(0);
        return choice.has("message") ? choice.path("message").path("content").asText("")
                : choice.path("text").asText("");
    }

    static Outcome readStream(Iterator<String> lines, long start) throws IOException {
        SseParser sse = new SseParser();
        StreamTimer timer = new StreamTimer(start);
        while (lines.hasNext() && !sse.done()) {
            String data = sse.accept(lines.next());
            if (data != null) {
                timer.event(data, System.nanoTime());
            }
        }
        String rest = sse.finish();
        if (rest != null) {
            timer.event(rest, System.nanoTime());
        }
        while (lines.hasNext()) {
            lines.next();
        }
        return timer.outcome(System.nanoTime(), sse.done() ? null : "stream ended without [DONE]");
    }

    private static Outcome readWhole(Iterator<String> lines, Route route, long start) throws IOException {
        StringBuilder text = new StringBuilder();
        lines.forEachRemaining(text::append);
        long end = System.nanoTime();
        JsonNode body = JSON.readTree(text.toString());
        JsonNode usage = body.path("usage");
        int completion = route.generates() ? usage.path("completion_tokens").asInt(0) : 0;
        return new Outcome(200, null, end - start, end - start, new long[0], completion,
                usage.path("prompt_tokens").asInt(0));
    }

    /** Folds the events of one stream into its timings. */
    static final class StreamTimer {
        private final long start;
        private long first = -1;
        private long last = -1;
        private final LongList gaps = new LongList();
        private int events;
        private int usageCompletion = -1;
        private int usagePrompt;

        StreamTimer(long start) {
            this.start = start;
        }

        void event(String data, long now) throws IOException {
            if (data.equals(SseParser.DONE)) {
                return;
            }
            JsonNode chunk = JSON.readTree(data);
            JsonNode usage = chunk.path("usage");
            if (usage.isObject()) {
                usageCompletion = usage.path("completion_tokens").asInt(-1);
                usagePrompt = usage.path("prompt_tokens").asInt(0);
            }
            if (!hasText(chunk)) {
                return;
            }
            if (first < 0) {
                first = now;
            } else {
                gaps.add(now - last);
            }
            last = now;
            events++;
        }

        Outcome outcome(long end, String error) {
            int tokens = usageCompletion >= 0 ? usageCompletion : events;
            return new Outcome(200, error, first < 0 ? -1 : first - start, end - start, gaps.toArray(), tokens,
                    usagePrompt);
        }

        /**
         * Output in a chat delta (answer, reasoning under either name servers use, or tool calls) or a completions
         * choice.
         */
        private static boolean hasText(JsonNode chunk) {
            for (JsonNode choice : chunk.path("choices")) {
                JsonNode delta = choice.path("delta");
                if (nonEmpty(delta.path("content")) || nonEmpty(delta.path("reasoning"))
                        || nonEmpty(delta.path("reasoning_content")) || !delta.path("tool_calls").isEmpty()
                        || nonEmpty(choice.path("text"))) {
                    return true;
                }
            }
            return false;
        }

        private static boolean nonEmpty(JsonNode text) {
            return text.isTextual() && !text.asText().isEmpty();
        }
    }
}
