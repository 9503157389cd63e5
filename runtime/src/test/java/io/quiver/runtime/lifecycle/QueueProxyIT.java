package io.quiver.runtime.lifecycle;

import static io.quiver.runtime.lifecycle.PrometheusText.byCode;
import static io.quiver.runtime.lifecycle.PrometheusText.delta;
import static io.quiver.runtime.lifecycle.PrometheusText.sum;
import static io.quiver.runtime.lifecycle.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
 * The packaged Quiver behind Knative's real queue-proxy, the two started side by side as a revision pod runs them
 * (queue-proxy's env as the revision reconciler writes it). Everything the client sends goes through queue-proxy's
 * serving port, as the activator or the ingress would send it. The tests share one pod; the last one drains it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueueProxyIT {
    static final int CAP = 4;
    static final String KUBE_PROBE = "kube-probe/1.30";

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    ServerProcess quiver;
    QueueProxy proxy;
    final List<String> probeAnswers = new ArrayList<>();
    LocalTime firstProbeOk;

    @BeforeAll
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void startPod() throws Exception {
        Path binary = QueueProxy.build();
        quiver = ServerProcess.start(Map.of(
                "PORT", "8080", // Knative's PORT; the test's free port overrides it below
                "K_REVISION", QueueProxy.REVISION, "K_SERVICE", QueueProxy.SERVICE,
                "K_CONFIGURATION", QueueProxy.SERVICE,
                "QUIVER_CONCURRENCY_MAX", Integer.toString(CAP),
                "QUIVER_MODELS_CHAT_PATH", "embedded:tiny-random-deepseek-r1",
                "QUIVER_MODELS_EMBED_PATH", "embedded:all-minilm-l6-v2",
                "QUIVER_SHUTDOWN_GRACE", "20s"));
        proxy = QueueProxy.start(binary, quiver.port, CAP, "/q/health/ready");
        watchReadiness();
    }

    /**
     * What the kubelet does to queue-proxy's readiness probe (an httpGet with K-Network-Probe: queue), until it
     * succeeds; the moment it does is compared with Quiver's own "startup phase ready" line.
     */
    private void watchReadiness() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            assertTrue(System.nanoTime() < deadline, "queue-proxy not ready within 120 s:\n" + logs());
            assertTrue(quiver.process.isAlive(), "Quiver exited:\n" + logs());
            assertTrue(proxy.process.isAlive(), "queue-proxy exited:\n" + logs());
            try {
                HttpResponse<String> probe = send(probe());
                probeAnswers.add(probe.statusCode() + " " + probe.body().strip());
                if (probe.statusCode() == 200) {
                    firstProbeOk = LocalTime.now();
                    return;
                }
            } catch (IOException notListening) {
                probeAnswers.add("connect: " + notListening.getClass().getSimpleName());
            }
            sleep(20);
        }
    }

    /** When Quiver logged that it is ready (models loaded and warmed), by its log's clock (this machine's). */
    private LocalTime quiverReadyAt() throws Exception {
        Pattern ready = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*startup phase ready", Pattern.MULTILINE);
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Matcher m;
        while (!(m = ready.matcher(quiver.output())).find()) {
            assertTrue(System.nanoTime() < deadline, "no 'startup phase ready' line:\n" + quiver.output());
            sleep(5);
        }
        return LocalTime.parse(m.group(1));
    }

    @AfterAll
    void stopPod() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (quiver != null) {
            quiver.close();
        }
    }

    @Test
    @Order(1)
    void queueProxyIsReadyOnlyOnceQuiverIsWarm() throws Exception {
        System.out.println("queue-proxy probe answers until ready: " + probeAnswers);
        assertTrue(probeAnswers.getLast().equals("200 queue"), probeAnswers.toString());
        LocalTime quiverReady = quiverReadyAt();
        long after = Duration.between(quiverReady, firstProbeOk).toMillis();
        System.out.println("queue-proxy ready " + after + " ms after Quiver logged ready");
        // Log times have millisecond resolution and the line is written as readiness turns: a few ms of slack.
        assertTrue(after >= -10, "queue-proxy said ready at " + firstProbeOk + ", before Quiver (" + quiverReady + ")");
        assertEquals(200, send(get(quiver.uri("/q/health/started"))).statusCode());
        String metrics = send(get(quiver.uri("/q/metrics"))).body();
        for (String model : List.of("chat", "embed")) {
            assertTrue(value(metrics, "quiver_model_warmup_seconds", "model=\"" + model + "\"") > 0,
                    "model " + model + " not warmed:\n" + metrics);
        }
    }

    @Test
    @Order(2)
    void chatStreamsAndEmbeddingsPassThrough() throws Exception {
        HttpResponse<InputStream> stream = http.send(chat(proxy.uri("/v1/chat/completions"), true, 64),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        assertTrue(stream.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"),
                stream.headers().map().toString());
        List<String> events = new ArrayList<>();
        long start = System.nanoTime();
        long first = 0;
        try (BufferedReader body = reader(stream.body())) {
            for (String line; (line = body.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    first = first == 0 ? System.nanoTime() : first;
                    events.add(line);
                }
            }
        }
        long end = System.nanoTime();
        assertEquals("data: [DONE]", events.getLast());
        assertTrue(events.get(events.size() - 2).contains("\"finish_reason\":\"length\""), events.toString());
        assertTrue(events.size() >= 32, "streamed event by event, not in one piece: " + events.size());
        System.out.printf("stream through queue-proxy: %d events, first after %d ms, all after %d ms%n",
                events.size(), (first - start) / 1_000_000, (end - start) / 1_000_000);

        HttpResponse<String> embedding = send(post(proxy.uri("/v1/embeddings"),
                "{\"model\":\"embed\",\"input\":[\"through queue-proxy\",\"second\"]}"));
        assertEquals(200, embedding.statusCode(), embedding.body());
        assertEquals(2, embedding.body().split("\"object\":\"embedding\"", -1).length - 1, embedding.body());
        assertEquals(QueueProxy.REVISION, embedding.headers().firstValue("x-quiver-revision").orElse(null));
    }

    @Test
    @Order(3)
    void aFloodGetsOnly200Or503AndQuiverNeverRunsPastTheCap() throws Exception {
        double rejectedBefore = sum(scrape(quiver.uri("/q/metrics")), "quiver_requests_rejected_total");
        // 10 x the cap fits queue-proxy's own queue (10 x containerConcurrency): all must be served.
        Flood flood = new Flood(http, quiver.uri("/q/metrics"), CAP);
        Supplier<HttpRequest> throughProxy = () -> chat(proxy.uri("/v1/chat/completions"), false, 48);
        Map<String, Integer> tenTimes = flood.run(throughProxy, 10 * CAP);
        System.out.println("flood of " + 10 * CAP + " through queue-proxy: " + tenTimes);
        assertEquals(Map.of("200", 10 * CAP), tenTimes);
        // 15 x the cap overflows it: queue-proxy answers the rest itself.
        Map<String, Integer> fifteenTimes = flood.run(throughProxy, 15 * CAP);
        System.out.println("flood of " + 15 * CAP + " through queue-proxy: " + fifteenTimes);
        assertEquals(15 * CAP, fifteenTimes.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(fifteenTimes.keySet().stream().allMatch(k -> k.equals("200") || k.startsWith("503 ")),
                fifteenTimes.toString());
        assertTrue(fifteenTimes.getOrDefault("200", 0) >= 11 * CAP, fifteenTimes.toString());
        assertTrue(fifteenTimes.containsKey("503 queue-proxy"), "queue-proxy's own 503 expected: " + fifteenTimes);
        assertEquals(rejectedBefore, sum(scrape(quiver.uri("/q/metrics")), "quiver_requests_rejected_total"),
                "behind queue-proxy Quiver never needs to turn a request away");

        // The same flood on Quiver's own port (as a port-forward would send it): Quiver's own cap and queue.
        Map<String, Integer> direct = flood.run(() -> chat(quiver.uri("/v1/chat/completions"), false, 48), 15 * CAP);
        System.out.println("flood of " + 15 * CAP + " on Quiver's port: " + direct);
        assertTrue(direct.keySet().stream().allMatch(k -> k.equals("200") || k.equals("503 quiver")),
                direct.toString());
        assertTrue(direct.containsKey("503 quiver"), direct.toString());
    }

    @Test
    @Order(4)
    void aClientThatHangsUpMidStreamFreesItsSlot() throws Exception {
        List<HttpResponse<InputStream>> streams = new ArrayList<>();
        List<BufferedReader> readers = new ArrayList<>();
        for (int i = 0; i < CAP; i++) {
            HttpResponse<InputStream> s = http.send(chat(proxy.uri("/v1/chat/completions"), true, 480),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, s.statusCode());
            streams.add(s);
            readers.add(reader(s.body()));
            assertTrue(readers.getLast().readLine().startsWith("data: "));
        }
        awaitRunning(CAP);
        // Hang up on the first: queue-proxy cancels its request to Quiver, which stops and frees the slot.
        streams.getFirst().body().close();
        awaitRunning(CAP - 1);
        long start = System.nanoTime();
        HttpResponse<String> later = send(chat(proxy.uri("/v1/chat/completions"), false, 8));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, later.statusCode(), later.body());
        // 480-token streams take seconds here: the new request ran beside the three left, at the cap.
        double othersStillStreaming = value(scrape(quiver.uri("/q/metrics")), "quiver_requests_running",
                "model=\"chat\"");
        System.out.printf("after a hang-up at the cap, a new request was answered in %d ms (others still running:"
                + " %.0f)%n", millis, othersStillStreaming);
        assertEquals(CAP - 1, othersStillStreaming, "the other streams ended before the new request was served");
        for (BufferedReader r : readers.subList(1, CAP)) {
            String last = null;
            for (String line; (line = r.readLine()) != null; ) {
                last = line.isBlank() ? last : line;
            }
            assertEquals("data: [DONE]", last);
        }
        String metrics = scrape(quiver.uri("/q/metrics"));
        assertTrue(value(metrics, "quiver_requests_total", "route=\"chat\"", "status=\"499\"") >= 1,
                "Quiver counts the hang-up as 499");
    }

    private void awaitRunning(int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        double running;
        while ((running = value(scrape(quiver.uri("/q/metrics")), "quiver_requests_running", "model=\"chat\""))
                != expected) {
            assertTrue(System.nanoTime() < deadline, "running " + running + ", expected " + expected);
            sleep(5);
        }
    }

    @Test
    @Order(5)
    void queueProxyAndQuiverCountTheSameRequests() throws Exception {
        Map<String, Double> proxyBefore = byCode(scrape(QueueProxy.metrics()), "revision_app_request_count");
        Map<String, Double> quiverBefore = byCode(scrape(quiver.uri("/q/metrics")), "quiver_requests_total");
        for (int i = 0; i < 6; i++) {
            assertEquals(200, send(post(proxy.uri("/v1/embeddings"), "{\"model\":\"embed\",\"input\":\"n" + i
                    + "\"}")).statusCode());
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(200, send(chat(proxy.uri("/v1/chat/completions"), false, 4)).statusCode());
        }
        assertEquals(400, send(post(proxy.uri("/v1/embeddings"), "{\"model\":\"embed\"}")).statusCode());
        assertEquals(404, send(post(proxy.uri("/v1/embeddings"), "{\"model\":\"nope\",\"input\":\"x\"}"))
                .statusCode());
        Map<String, Double> expected = Map.of("200", 9.0, "400", 1.0, "404", 1.0);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Map<String, Double> proxyDelta;
        Map<String, Double> quiverDelta;
        do {
            sleep(100);
            proxyDelta = delta(proxyBefore, byCode(scrape(QueueProxy.metrics()), "revision_app_request_count"));
            quiverDelta = delta(quiverBefore, byCode(scrape(quiver.uri("/q/metrics")), "quiver_requests_total"));
        } while (!(proxyDelta.equals(expected) && quiverDelta.equals(expected)) && System.nanoTime() < deadline);
        System.out.println("counted by queue-proxy: " + proxyDelta + ", by Quiver: " + quiverDelta);
        assertEquals(expected, proxyDelta, "queue-proxy's revision_app_request_count");
        assertEquals(expected, quiverDelta, "Quiver's quiver_requests_total");
        String proxyMetrics = scrape(QueueProxy.metrics());
        assertTrue(proxyMetrics.contains("revision_name=\"" + QueueProxy.REVISION + "\""), proxyMetrics);
        assertTrue(scrape(quiver.uri("/q/metrics")).contains("revision=\"" + QueueProxy.REVISION + "\""));
    }

    /**
     * Pod deletion as the kubelet does it: queue-proxy gets SIGTERM while Quiver's preStop hook waits on
     * queue-proxy's /wait-for-drain; only when that returns does Quiver get its SIGTERM.
     */
    @Test
    @Order(6)
    void podDeletionDrainsThroughQueueProxyThenQuiver() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            inFlight.add(http.sendAsync(chat(proxy.uri("/v1/chat/completions"), true, 480),
                    HttpResponse.BodyHandlers.ofString()));
        }
        awaitRunning(2);
        long start = System.nanoTime();
        CompletableFuture<HttpResponse<String>> preStop = http.sendAsync(
                HttpRequest.newBuilder(QueueProxy.admin("/wait-for-drain")).header("User-Agent", KUBE_PROBE)
                        .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        proxy.process.destroy();

        // Probes fail as soon as the signal lands: the endpoints controller takes the pod out while requests
        // still arrive.
        long signalled = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        HttpResponse<String> probe;
        while ((probe = send(probe())).statusCode() == 200 && System.nanoTime() < signalled) {
            sleep(5);
        }
        assertEquals(503, probe.statusCode(), probe.body());
        assertEquals("shutting down", probe.body().strip());
        HttpResponse<String> late = send(post(proxy.uri("/v1/embeddings"), "{\"model\":\"embed\",\"input\":\"late\"}"));
        assertEquals(200, late.statusCode(), "queue-proxy still serves during its quiet period: " + late.body());
        assertEquals(200, send(get(quiver.uri("/q/health/ready"))).statusCode(), "Quiver has no SIGTERM yet");

        for (CompletableFuture<HttpResponse<String>> s : inFlight) {
            HttpResponse<String> r = s.get(60, TimeUnit.SECONDS);
            List<String> events = r.body().lines().filter(l -> l.startsWith("data: ")).toList();
            assertEquals("data: [DONE]", events.getLast());
            assertTrue(events.get(events.size() - 2).contains("\"finish_reason\":\"length\""),
                    "the stream must run to its end: " + events.get(events.size() - 2));
        }
        assertFalse(preStop.isDone(), "preStop returned before queue-proxy's quiet period");
        HttpResponse<String> drained = preStop.get(90, TimeUnit.SECONDS);
        long preStopMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, drained.statusCode());
        assertTrue(preStopMillis >= 29_000, "preStop took " + preStopMillis + " ms");

        quiver.process.destroy();
        assertEquals(0, quiver.awaitExit(Duration.ofSeconds(30)), quiver.output());
        assertTrue(proxy.process.waitFor(30, TimeUnit.SECONDS), "queue-proxy did not exit");
        assertEquals(0, proxy.process.exitValue(), proxy.output());
        String log = quiver.output();
        assertTrue(log.contains("shutdown phase drain"), log);
        System.out.printf("pod deletion: preStop returned after %d ms; both exited 0%n", preStopMillis);
    }

    private HttpRequest probe() {
        return HttpRequest.newBuilder(proxy.uri("/")).header("K-Network-Probe", "queue")
                .header("User-Agent", KUBE_PROBE).timeout(Duration.ofSeconds(15)).build();
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).build();
    }

    private static HttpRequest post(URI uri, String json) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static HttpRequest chat(URI uri, boolean stream, int maxTokens) {
        return post(uri, "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],"
                + "\"stream\":" + stream + ",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true}");
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private String scrape(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = send(get(uri));
        assertEquals(200, r.statusCode(), uri.toString());
        return r.body();
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    private String logs() throws IOException {
        return "--- Quiver\n" + quiver.output() + "\n--- queue-proxy\n" + proxy.output();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
