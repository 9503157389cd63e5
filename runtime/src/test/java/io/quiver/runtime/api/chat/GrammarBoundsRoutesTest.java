package io.quiver.runtime.api.chat;

import static io.quiver.models.chat.HostileSchemas.optionalIntegers;
import static io.quiver.models.chat.HostileSchemas.refFanOut;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A grammar's cost is bounded on every route that compiles one (chat, completions, CloudEvents): the schemas and
 * regexes that once compiled for minutes and exhausted the heap are refused with a 400 naming the limit they are
 * over, or compile in time linear in their text; and while the worst of them compile, a small request's latency
 * stays near its idle latency.
 */
@QuarkusTest
class GrammarBoundsRoutesTest {
    static final String MODEL = ChatRoutesTest.MODEL;

    @TestHTTPResource("/")
    URL base;
    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static String tools(int n) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            s.append(i > 0 ? "," : "").append("{\"type\":\"function\",\"function\":{\"name\":\"tool_").append(i)
                    .append("\"}}");
        }
        return s.append("]").toString();
    }

    /** The structured-output field of each worst input, with the param and the limit its refusal names. */
    record Worst(String field, String param, String limit) {
    }

    static final List<Worst> WORST = List.of(
            new Worst("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":"
                    + refFanOut(4, 6) + "}}", "response_format", "quiver.structured-outputs.max-states"),
            new Worst("\"json_schema\":{\"type\":\"string\",\"maxLength\":10000}", "json_schema",
                    "quiver.structured-outputs.max-repeat"),
            new Worst("\"structured_outputs\":{\"regex\":\"(a|b)*a(a|b){16}\"}", "structured_outputs.regex",
                    "quiver.structured-outputs.max-states"),
            new Worst("\"structured_outputs\":{\"regex\":\"[a-z]{0,50000}\"}", "structured_outputs.regex",
                    "quiver.structured-outputs.max-repeat"),
            new Worst("\"structured_outputs\":{\"json\":{\"type\":\"array\",\"items\":" + "{\"type\":\"array\",\"items\":"
                    .repeat(12) + "{\"type\":\"string\",\"maxLength\":3000}" + "}".repeat(12) + "}}",
                    "structured_outputs.json", "quiver.structured-outputs.max-states"));

    static String chat(String field) {
        return "{\"model\":\"" + MODEL + "\",\"messages\":" + ChatBadInputTest.USER + ",\"max_tokens\":1," + field
                + "}";
    }

    static String completion(String field) {
        return "{\"model\":\"" + MODEL + "\",\"prompt\":\"hi\",\"max_tokens\":1," + field + "}";
    }

    private HttpResponse<String> post(HttpClient http, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path.substring(1)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> event() {
        return Map.of("ce-specversion", "1.0", "ce-id", UUID.randomUUID().toString(), "ce-source", "/tests",
                "ce-type", "io.quiver.chat.completion.request");
    }

    @Test
    void theWorstGrammarsAreRefusedOnEveryRouteNamingTheLimit() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (Worst worst : WORST) {
            List<HttpResponse<String>> answers = List.of(post(http, "/v1/chat/completions", chat(worst.field()),
                    Map.of()), post(http, "/v1/completions", completion(worst.field()), Map.of()),
                    post(http, "/events", chat(worst.field()), event()));
            for (HttpResponse<String> r : answers) {
                assertEquals(400, r.statusCode(), worst + ": " + r.body());
                JsonNode error = ChatRoutesTest.JSON.readTree(r.body()).path("error");
                assertEquals(worst.param(), error.path("param").asText(), r.body());
                assertTrue(error.path("message").asText().contains(worst.limit()), r.body());
            }
        }
        assertEquals(0, admission.running());
    }

    @Test
    void whatOnceDoubledPerPropertyOrLevelNowCompiles() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String nested = "{\"type\":\"array\",\"items\":".repeat(14) + "{\"type\":\"integer\"}" + "}".repeat(14);
        for (String field : List.of("\"json_schema\":" + optionalIntegers(24, "24 optional"),
                "\"json_schema\":" + nested, "\"json_schema\":" + refFanOut(4, 4),
                "\"json_schema\":{\"type\":\"string\",\"maxLength\":1000}")) {
            HttpResponse<String> r = post(http, "/v1/chat/completions", chat(field), Map.of());
            assertEquals(200, r.statusCode(), r.body());
        }
        HttpResponse<String> forced = post(http, "/v1/chat/completions", chat("\"tools\":" + tools(200)
                + ",\"tool_choice\":\"required\""), Map.of());
        assertEquals(200, forced.statusCode(), forced.body());
    }

    /** Each one a distinct grammar (its description or its last alternative differs), so each one compiles. */
    static String worstInFlight(int i) {
        String id = "w" + i;
        return switch (i % 6) {
            case 0 -> chat("\"json_schema\":" + optionalIntegers(24, id));
            case 1 -> chat("\"json_schema\":" + refFanOut(4, 6).replace("{\"$defs\"", "{\"description\":\"" + id
                    + "\",\"$defs\""));
            case 2 -> completion("\"structured_outputs\":{\"regex\":\"(a|b)*a(a|b){16}|" + id + "\"}");
            case 3 -> completion("\"json_schema\":{\"type\":\"string\",\"maxLength\":1000,\"description\":\"" + id
                    + "\"}");
            case 4 -> chat("\"tools\":" + tools(200).replace("tool_0", "tool_" + id) + ",\"tool_choice\":\"required\"");
            default -> completion("\"structured_outputs\":{\"regex\":\"[a-z]{0,4000}" + id + "\"}");
        };
    }

    @Test
    void smallRequestsKeepTheirPaceWhileTheWorstGrammarsCompile() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String embedding = "{\"model\":\"all-minilm-l6-v2\",\"input\":\"one word\"}";
        String small = "{\"model\":\"" + MODEL + "\",\"messages\":" + ChatBadInputTest.USER + ",\"max_tokens\":2}";
        // The baseline shares the CPU as the measured case does (see BusyCore).
        long idleEmbedding;
        long idleChat;
        try (BusyCore busy = new BusyCore()) {
            idleEmbedding = medianMillis(http, "/v1/embeddings", embedding);
            idleChat = medianMillis(http, "/v1/chat/completions", small);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> senders = new ArrayList<>();
        long loadedEmbedding;
        long loadedChat;
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 4; i++) {
                senders.add(pool.submit(() -> {
                    while (!stop.get()) {
                        String body = worstInFlight(next.getAndIncrement());
                        String path = body.contains("\"prompt\"") ? "/v1/completions" : "/v1/chat/completions";
                        HttpResponse<String> r = post(http, path, body, Map.of());
                        assertTrue(r.statusCode() == 200 || r.statusCode() == 400, r.body());
                        answered.incrementAndGet();
                    }
                    return null;
                }));
            }
            try {
                Thread.sleep(500);
                loadedEmbedding = medianMillis(http, "/v1/embeddings", embedding);
                loadedChat = medianMillis(http, "/v1/chat/completions", small);
            } finally {
                stop.set(true);
            }
            for (Future<?> f : senders) {
                f.get();
            }
        }
        System.out.printf("beside the worst grammars (%d answered): embedding %d ms idle, %d ms loaded; chat %d ms "
                + "idle, %d ms loaded%n", answered.get(), idleEmbedding, loadedEmbedding, idleChat, loadedChat);
        assertTrue(answered.get() >= 4, "the worst grammars were answered: " + answered.get());
        assertTrue(loadedEmbedding <= 4 * Math.max(idleEmbedding, 10), "embedding: idle " + idleEmbedding
                + " ms, loaded " + loadedEmbedding + " ms");
        assertTrue(loadedChat <= 4 * Math.max(idleChat, 10), "chat: idle " + idleChat + " ms, loaded " + loadedChat
                + " ms");
        assertEquals(0, admission.running());
    }

    private long medianMillis(HttpClient http, String path, String body) throws Exception {
        long[] millis = new long[15];
        for (int i = 0; i < millis.length; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = post(http, path, body, Map.of());
            millis[i] = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, r.statusCode(), r.body());
        }
        Arrays.sort(millis);
        return millis[millis.length / 2];
    }
}
