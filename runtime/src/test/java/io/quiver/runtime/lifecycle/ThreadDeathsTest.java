package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** A thread that ends on an uncaught error (as a timer thread out of memory would) is counted, not silent. */
@QuarkusTest
class ThreadDeathsTest {
    private static final Pattern DEATHS = Pattern.compile("(?m)^quiver_thread_deaths_total(\\{[^}]*\\})? (\\S+)");

    static double deaths() {
        Matcher m = DEATHS.matcher(Prometheus.scrape("/q/metrics"));
        if (!m.find()) {
            throw new AssertionError("no quiver_thread_deaths_total");
        }
        return Double.parseDouble(m.group(2));
    }

    @Test
    void aThreadDyingOnAnUncaughtErrorIsCounted() throws Exception {
        Ready.await();
        double before = deaths();
        Thread dying = Thread.ofPlatform().name("dies-on-purpose").start(() -> {
            throw new OutOfMemoryError("a test's stand-in for a real one");
        });
        dying.join();
        assertEquals(before + 1, deaths());
    }
}
