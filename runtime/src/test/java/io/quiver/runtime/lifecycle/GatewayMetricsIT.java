package io.quiver.runtime.lifecycle;

import static io.quiver.runtime.lifecycle.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The packaged Quiver read by the inference gateway's own metrics collection (msp-scrape: the endpoint picker's
 * data source and extractor, configured by deployment/gateway/endpoint-picker-config.yaml), idle and under a known
 * load: what the picker reads must be what Quiver means, as the model-server protocol defines it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayMetricsIT {
    static final int CAP = 3;
    static final String CHAT = "model=\"chat\"";
    static final Pattern KV_LAYOUT = Pattern.compile("KV cache of .*?(\\d+) (?:rows|slots) \\S (\\d+) positions");

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    Path scraper;
    ServerProcess quiver;
    int slots;
    int positions;

    @BeforeAll
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void start() throws Exception {
        scraper = MspScrape.build();
        quiver = ServerProcess.start(Map.of("QUIVER_CONCURRENCY_MAX", Integer.toString(CAP),
                "QUIVER_MODELS_CHAT_PATH", "embedded:tiny-random-deepseek-r1"));
        quiver.awaitReady(Duration.ofSeconds(120));
        Matcher layout = KV_LAYOUT.matcher(quiver.output());
        assertTrue(layout.find(), "no KV cache line in the load log:\n" + quiver.output());
        slots = Integer.parseInt(layout.group(1));
        positions = Integer.parseInt(layout.group(2));
        assertEquals(CAP, slots, "a chat batch has as many rows as the pod's cap");
    }

    @AfterAll
    void stop() throws IOException {
        if (quiver != null) {
            quiver.close();
        }
    }

    @Test
    @Order(1)
    void anIdleServerReadsAsIdleWithItsCacheLayout() throws Exception {
        MspScrape.Reading r = MspScrape.run(scraper, endpoint(), MspScrape.ENGINE_LABEL + "=quiver");
        System.out.println("endpoint picker reads an idle Quiver: " + r);
        assertEquals(0, r.exit(), r.toString());
        assertRead(r.metrics(), 0, 0, 0.0);
    }

    /**
     * Two long streams fill two of the three slots; a request for two completions (n = 2) cannot fit in the one
     * left and waits, and a single one waits behind it (admission is first come, first served). Known state:
     * 2 sequences running, 3 waiting (2 + 1 rows), 2 of 3 KV slots held. Quiver's series are read just before and
     * just after the picker's; if admission's request gauges show that a stream ended meanwhile, the load is
     * driven again (a few times at most).
     */
    @Test
    @Order(2)
    void aLoadedServerReadsAsQueuedRunningAndHeldAsQuiverCountsThem() throws Exception {
        List<String> misses = new ArrayList<>();
        for (int attempt = 1; attempt <= 3; attempt++) {
            List<CompletableFuture<HttpResponse<InputStream>>> load = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    load.add(drain(http.sendAsync(chat(1), HttpResponse.BodyHandlers.ofInputStream())));
                }
                awaitMetric("quiver_sequences_running", 2);
                load.add(http.sendAsync(chat(2), HttpResponse.BodyHandlers.ofInputStream()));
                awaitMetric("quiver_requests_waiting", 1);
                load.add(http.sendAsync(chat(1), HttpResponse.BodyHandlers.ofInputStream()));
                awaitMetric("quiver_requests_waiting", 2);

                String before = scrape();
                MspScrape.Reading r = MspScrape.run(scraper, endpoint(), MspScrape.ENGINE_LABEL + "=quiver");
                String after = scrape();
                // Admission's own request gauges tell whether the load held: A and B running, C and D waiting.
                String known = "requests running 2, waiting 2";
                if (!requestsOf(before).equals(known) || !requestsOf(after).equals(known)) {
                    misses.add("attempt " + attempt + ": the load moved during the reading: " + requestsOf(before)
                            + " / " + requestsOf(after));
                    continue;
                }
                System.out.println("endpoint picker reads a loaded Quiver (" + loadOf(before) + "): " + r);
                assertEquals("running 2, waiting 3, kv " + 2.0 / 3, loadOf(before), "Quiver's series under the load");
                assertEquals(loadOf(before), loadOf(after));
                assertEquals(0, r.exit(), r.toString());
                assertRead(r.metrics(), 3, 2, 2.0 / 3);
                return;
            } finally {
                release(load);
            }
        }
        throw new AssertionError("the known load never held still through a reading: " + misses);
    }

    /** Without the pod label the picker applies its default (vLLM) mapping and finds none of Quiver's series. */
    @Test
    @Order(3)
    void anUnlabelledPodGetsTheVllmMappingAndReadsNothing() throws Exception {
        MspScrape.Reading r = MspScrape.run(scraper, endpoint());
        System.out.println("endpoint picker reads an unlabelled Quiver: " + r);
        assertEquals(1, r.exit(), r.toString());
        assertTrue(errors(r.metrics()).stream().anyMatch(e -> e.contains(
                "metric family \"vllm:num_requests_waiting\" not found")), r.toString());
        assertEquals(false, r.metrics().path("updated").asBoolean(), r.toString());
    }

    /**
     * What the picker read equals the known state and Quiver's own series, and the cache layout is the one the
     * engine logged at load (a block is a slot; as many blocks as slots); no LoRA adapters.
     */
    private void assertRead(JsonNode read, int waiting, int running, double kv) throws Exception {
        String text = scrape();
        assertEquals(List.of(), errors(read));
        assertTrue(read.path("updated").asBoolean(), read.toString());
        assertEquals(waiting, read.path("waitingQueueSize").asInt(), "queued");
        assertEquals(running, read.path("runningRequestsSize").asInt(), "running");
        assertEquals(kv, read.path("kvCacheUsagePercent").asDouble(), "KV utilisation");
        assertEquals(positions, read.path("cacheBlockSize").asInt(), "block size: positions per slot");
        assertEquals(slots, read.path("cacheNumBlocks").asInt(), "blocks: slots");
        assertEquals(1, value(text, "quiver_kv_cache_info", CHAT, "block_size=\"" + positions + "\"",
                "num_gpu_blocks=\"" + slots + "\""), "Quiver's own cache info");
        assertEquals(0, read.path("maxActiveModels").asInt(), "max_lora");
        assertEquals(0, read.path("activeModels").size(), "running adapters");
        assertEquals(0, read.path("waitingModels").size(), "waiting adapters");
        assertTrue(value(text, "quiver_lora_info", CHAT, "max_lora=\"0\"", "running_lora_adapters=\"\"",
                "waiting_lora_adapters=\"\"") > 0, "Quiver's own LoRA info");
    }

    private static List<String> errors(JsonNode read) {
        List<String> out = new ArrayList<>();
        read.path("errors").forEach(e -> out.add(e.asText()));
        return out;
    }

    private static String requestsOf(String text) {
        return "requests running " + (int) value(text, "quiver_requests_running", CHAT) + ", waiting "
                + (int) value(text, "quiver_requests_waiting", CHAT);
    }

    private static String loadOf(String text) {
        return "running " + (int) value(text, "quiver_sequences_running", CHAT) + ", waiting "
                + (int) value(text, "quiver_sequences_waiting", CHAT) + ", kv "
                + value(text, "quiver_kv_slots_usage_ratio", CHAT);
    }

    /** Waits for the stream's headers, then reads it away in the background so that it streams at full speed. */
    private static CompletableFuture<HttpResponse<InputStream>> drain(
            CompletableFuture<HttpResponse<InputStream>> stream) throws Exception {
        HttpResponse<InputStream> r = stream.get(60, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        Thread.ofVirtual().start(() -> {
            try (BufferedReader body = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                while (body.readLine() != null) {
                    // discarded
                }
            } catch (IOException closed) {
                // released by the test
            }
        });
        return stream;
    }

    /** Hangs up on every request of the load (Quiver frees their slots) and waits until Quiver is idle. */
    private void release(List<CompletableFuture<HttpResponse<InputStream>>> load) throws Exception {
        for (CompletableFuture<HttpResponse<InputStream>> f : load) {
            if (!f.cancel(true) && !f.isCompletedExceptionally()) {
                f.get().body().close();
            }
        }
        awaitMetric("quiver_sequences_running", 0);
        awaitMetric("quiver_sequences_waiting", 0);
    }

    private void awaitMetric(String name, double expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        double now;
        while ((now = value(scrape(), name, CHAT)) != expected) {
            assertTrue(System.nanoTime() < deadline, name + " is " + now + ", expected " + expected);
            Thread.sleep(5);
        }
    }

    private String endpoint() {
        return "127.0.0.1:" + quiver.port;
    }

    private String scrape() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(quiver.uri("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    /** A long streamed chat request for {@code n} completions (one batch row each). */
    private HttpRequest chat(int n) {
        URI uri = quiver.uri("/v1/chat/completions");
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"Tell me a story\"}],\"stream\":true,\"max_tokens\":480,\"ignore_eos\":true,"
                        + "\"n\":" + n + "}")).build();
    }
}
