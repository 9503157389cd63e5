package io.quiver.runtime.lifecycle;

import static io.quiver.runtime.lifecycle.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Many chat requests at once, with Quiver's running gauge scraped while they run: the gauge must stay at or under
 * the cap and come within one of it. Outcomes are told apart by who answered.
 *
 * @param metrics Quiver's own {@code /q/metrics}, never through a proxy
 */
record Flood(HttpClient http, URI metrics, int cap) {

    /**
     * Sends {@code n} requests at once and returns the count per outcome: "200", "503 queue-proxy" (its text body, no
     * Retry-After), "503 quiver" (OpenAI-shaped body and Retry-After), or anything else as status and body.
     */
    Map<String, Integer> run(Supplier<HttpRequest> request, int n) throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger maxRunning = new AtomicInteger();
        Thread scraper = Thread.ofVirtual().start(() -> {
            while (!done.get()) {
                try {
                    String text = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(15)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    maxRunning.accumulateAndGet((int) value(text, "quiver_requests_running", "model=\"chat\""),
                            Math::max);
                } catch (Exception e) {
                    return;
                }
            }
        });
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            answers.add(http.sendAsync(request.get(), HttpResponse.BodyHandlers.ofString()));
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> a : answers) {
            outcomes.merge(outcome(a.get(120, TimeUnit.SECONDS)), 1, Integer::sum);
        }
        done.set(true);
        scraper.join();
        System.out.println("  Quiver's running gauge peaked at " + maxRunning.get() + " (cap " + cap + ")");
        assertTrue(maxRunning.get() <= cap, "Quiver ran " + maxRunning.get() + " at once, cap " + cap);
        assertTrue(maxRunning.get() >= cap - 1, "the flood never reached the cap: " + maxRunning.get());
        return outcomes;
    }

    private static String outcome(HttpResponse<String> r) {
        if (r.statusCode() == 200 && r.body().contains("\"finish_reason\":\"length\"")) {
            return "200";
        }
        if (r.statusCode() == 503 && r.body().strip().equals("pending request queue full")
                && r.headers().firstValue("retry-after").isEmpty()) {
            return "503 queue-proxy";
        }
        if (r.statusCode() == 503 && r.body().contains("\"type\":\"server_overloaded\"")
                && r.headers().firstValue("retry-after").map(v -> Integer.parseInt(v) >= 1).orElse(false)) {
            return "503 quiver";
        }
        return r.statusCode() + " " + r.headers().map() + " " + r.body();
    }
}
