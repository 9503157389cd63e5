package io.quiver.bench.knative;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The load inside a revision's pods, read from Quiver's own gauges while it runs: every pod of the revision (pods
 * that start meanwhile included) is scraped in turn, round after round, for {@code quiver_requests_running} and
 * {@code quiver_requests_waiting} (all models: the cap is the pod's). Keeps the highest running count any pod
 * showed, and per wall-clock second the average over rounds of the requests in all pods: the concurrency Knative's
 * queue-proxies report, measured without them.
 */
final class PodLoad implements AutoCloseable {
    private final Cluster cluster;
    private final String revision;
    private final HttpClient scraper = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();
    private final Thread sampler;
    private volatile boolean on = true;
    private final Object lock = new Object();
    /** epoch second -> {sum of in-pod requests over rounds, rounds} */
    private final TreeMap<Long, double[]> seconds = new TreeMap<>();
    private int maxRunning;
    private int samples;

    PodLoad(Cluster cluster, String revision) {
        this.cluster = cluster;
        this.revision = revision;
        this.sampler = Thread.ofVirtual().name("pod-load " + revision).start(this::sample);
    }

    private void sample() {
        List<URI> targets = List.of();
        long listed = 0;
        while (on) {
            try {
                if (System.nanoTime() - listed > 2_000_000_000L) {
                    targets = podMetrics();
                    listed = System.nanoTime();
                }
                double inPods = 0;
                for (URI metrics : targets) {
                    try {
                        String text = scraper.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(1))
                                .build(), HttpResponse.BodyHandlers.ofString()).body();
                        int running = (int) Math.round(sum(text, "quiver_requests_running"));
                        inPods += running + sum(text, "quiver_requests_waiting");
                        synchronized (lock) {
                            maxRunning = Math.max(maxRunning, running);
                            samples++;
                        }
                    } catch (IOException notUpYet) {
                        // a pod still starting or already gone: it holds no requests
                    }
                }
                long second = Math.floorDiv(System.currentTimeMillis(), 1000);
                synchronized (lock) {
                    double[] s = seconds.computeIfAbsent(second, k -> new double[2]);
                    s[0] += inPods;
                    s[1]++;
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | AssertionError e) {
                RevisionTraffic.sleepQuietly(100);
            }
        }
    }

    private List<URI> podMetrics() throws IOException, InterruptedException {
        List<URI> targets = new ArrayList<>();
        for (JsonNode pod : cluster.json("get", "pods", "-l", "serving.knative.dev/revision=" + revision)
                .path("items")) {
            String ip = pod.at("/status/podIP").asText();
            if (!ip.isEmpty()) {
                targets.add(URI.create("http://" + ip + ":8080/q/metrics"));
            }
        }
        return targets;
    }

    int maxRunning() {
        synchronized (lock) {
            return maxRunning;
        }
    }

    int samples() {
        synchronized (lock) {
            return samples;
        }
    }

    /**
     * Average requests in all pods in each wall-clock second from {@code fromSecond} to {@code toSecond}; a second
     * without a round takes the one before it.
     */
    double[] concurrency(long fromSecond, long toSecond) {
        synchronized (lock) {
            double[] out = new double[(int) (toSecond - fromSecond)];
            double last = 0;
            for (int i = 0; i < out.length; i++) {
                double[] s = seconds.get(fromSecond + i);
                out[i] = last = s == null ? last : s[0] / s[1];
            }
            return out;
        }
    }

    @Override
    public void close() throws InterruptedException {
        on = false;
        sampler.join(Duration.ofSeconds(5));
    }

    /** The sum of a Prometheus metric's samples over its labels. */
    static double sum(String text, String metric) {
        return text.lines().filter(l -> l.startsWith(metric + "{") || l.startsWith(metric + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
