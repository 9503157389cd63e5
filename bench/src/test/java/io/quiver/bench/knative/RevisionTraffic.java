package io.quiver.bench.knative;

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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Requests to one revision as Knative's ingress sends them: to the revision's Kubernetes Service (whose endpoints
 * are the activator while the revision is at zero or short of burst capacity, and its pods otherwise), with the
 * {@code Knative-Serving-Revision} and {@code Knative-Serving-Namespace} headers the activator routes on. Counts
 * the requests in flight, second by second (time-weighted, by the wall clock's seconds, as the autoscaler buckets
 * what it collects), and their outcomes.
 */
final class RevisionTraffic {
    final String revision;
    final URI service;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Object lock = new Object();
    private final TreeMap<Long, Double> inFlightSeconds = new TreeMap<>();
    private int inFlight;
    private long lastChangeNanos = System.nanoTime();
    private final long nanosToEpoch = System.currentTimeMillis() * 1_000_000 - System.nanoTime();
    final Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    /** The first message of each kind of failure that is not an HTTP status. */
    final Map<String, String> failures = new ConcurrentHashMap<>();

    RevisionTraffic(String revision, String serviceIp) {
        this.revision = revision;
        this.service = URI.create("http://" + serviceIp);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(service.resolve(path)).header("Knative-Serving-Revision", revision)
                .header("Knative-Serving-Namespace", "default").timeout(Duration.ofSeconds(180));
    }

    HttpRequest embeddings(String text) {
        return request("/v1/embeddings").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"all-minilm-l6-v2\",\"input\":\"" + text + "\"}")).build();
    }

    HttpRequest chatStream(int maxTokens) {
        return chatStream("tiny-random-deepseek-r1", maxTokens);
    }

    HttpRequest chatStream(String model, int maxTokens) {
        return request("/v1/chat/completions").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"stream\":true,\"max_tokens\":"
                        + maxTokens + ",\"ignore_eos\":true}")).build();
    }

    /** Sends a request and reads its whole body, counted in flight meanwhile. */
    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        change(+1);
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            outcomes.computeIfAbsent(Integer.toString(r.statusCode()), k -> new AtomicInteger()).incrementAndGet();
            return r;
        } catch (IOException e) {
            String kind = e.getClass().getSimpleName();
            outcomes.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
            failures.putIfAbsent(kind, String.valueOf(e.getMessage()));
            throw e;
        } finally {
            change(-1);
        }
    }

    /** Sends a request and hands back its body as it streams (not counted in flight). */
    HttpResponse<InputStream> open(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    /**
     * {@code clients} closed-loop clients sending embeddings back to back for {@code duration} (each sends its
     * next request when its last one is answered), as {@code hey -c} does; returns when all have stopped.
     */
    void closedLoop(int clients, Duration duration) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads[c] = Thread.ofVirtual().start(() -> {
                for (int i = 0; System.nanoTime() < end; i++) {
                    try {
                        send(embeddings("client " + client + " request " + i));
                    } catch (IOException e) {
                        sleepQuietly(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private void change(int delta) {
        synchronized (lock) {
            long now = System.nanoTime();
            accrue(now);
            inFlight += delta;
        }
    }

    /** Adds in-flight × time since the last change to the seconds it fell in. */
    private void accrue(long now) {
        long from = lastChangeNanos;
        while (from < now) {
            long epochNanos = from + nanosToEpoch;
            long second = Math.floorDiv(epochNanos, 1_000_000_000L);
            long secondEnd = (second + 1) * 1_000_000_000L - nanosToEpoch;
            long to = Math.min(now, secondEnd);
            if (inFlight > 0) {
                inFlightSeconds.merge(second, inFlight * (to - from) / 1e9, Double::sum);
            }
            from = to;
        }
        lastChangeNanos = now;
    }

    /** Average requests in flight in each wall-clock second (epoch seconds) from {@code from} to {@code to}. */
    double[] concurrency(long fromSecond, long toSecond) {
        synchronized (lock) {
            accrue(System.nanoTime());
            double[] out = new double[(int) (toSecond - fromSecond)];
            for (int i = 0; i < out.length; i++) {
                out[i] = inFlightSeconds.getOrDefault(fromSecond + i, 0.0);
            }
            return out;
        }
    }

    static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The stream's data lines, read to its end; fails, and closes it, if it has not ended within the timeout. */
    static List<String> dataLines(InputStream body, Duration timeout) throws Exception {
        return StreamedEvents.read(body, timeout).events();
    }

    /**
     * A stream's data lines, with when its first line and its first text came (an event with content or, from an R1
     * model, reasoning; null if none did).
     */
    record StreamedEvents(List<String> events, Instant firstByte, Instant firstToken) {
        private static final Pattern TOKEN = Pattern.compile("\"(reasoning_)?content\":\"[^\"]");

        /** Reads to the stream's end; fails, and closes it, if it has not ended within the timeout. */
        static StreamedEvents read(InputStream body, Duration timeout) throws Exception {
            List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicReference<Instant> firstByte = new AtomicReference<>();
            AtomicReference<Instant> firstToken = new AtomicReference<>();
            BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            Thread reader = Thread.ofVirtual().start(() -> r.lines().forEach(line -> {
                firstByte.compareAndSet(null, Instant.now());
                if (line.startsWith("data: ")) {
                    if (TOKEN.matcher(line).find()) {
                        firstToken.compareAndSet(null, Instant.now());
                    }
                    events.add(line.substring(6));
                }
            }));
            if (!reader.join(timeout)) {
                body.close();
                throw new AssertionError("the stream did not end within " + timeout + ": " + events);
            }
            return new StreamedEvents(List.copyOf(events), firstByte.get(), firstToken.get());
        }
    }

    /** The activator's count of requests it handled for this revision (its own metrics). */
    double activatorRequests(Cluster cluster) throws IOException, InterruptedException {
        JsonNode activator = cluster.json("-n", "knative-serving", "get", "pods", "-l", "app=activator")
                .path("items").get(0);
        String text = http.send(HttpRequest.newBuilder(URI.create("http://"
                + activator.at("/status/podIP").asText() + ":9090/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith("activator_request_count{"))
                .filter(l -> l.contains("revision_name=\"" + revision + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
