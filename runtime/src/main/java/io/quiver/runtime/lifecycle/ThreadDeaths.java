package io.quiver.runtime.lifecycle;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.quiver.runtime.metrics.QuiverMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * No thread of the process dies silently: one that ends on an uncaught throwable (an out-of-memory error in a
 * timer thread, say, such as the HTTP server's blocked-thread checker) is logged as an error with its name and
 * counted in {@code quiver_thread_deaths_total}, which an alert can watch. Handlers a thread sets for itself still
 * come first.
 */
@ApplicationScoped
public class ThreadDeaths {
    private static final Logger LOG = Logger.getLogger(ThreadDeaths.class);
    private final Counter deaths;

    public ThreadDeaths(QuiverMetrics metrics) {
        this.deaths = metrics.counter("quiver.thread.deaths", "Threads that ended on an uncaught throwable",
                Tags.empty());
    }

    void onStart(@Observes StartupEvent event) {
        Thread.UncaughtExceptionHandler found = Thread.getDefaultUncaughtExceptionHandler();
        // An earlier start of the application in this process (tests) installed one: this one replaces it.
        Thread.UncaughtExceptionHandler before = found != null && found.getClass().getName()
                .equals(Logged.class.getName()) ? null : found;
        Thread.setDefaultUncaughtExceptionHandler(new Logged(deaths, before));
    }

    private record Logged(Counter deaths, Thread.UncaughtExceptionHandler before)
            implements Thread.UncaughtExceptionHandler {
        @Override
        public void uncaughtException(Thread thread, Throwable error) {
            deaths.increment();
            LOG.errorf(error, "thread %s died on an uncaught %s", thread.getName(), error.getClass().getName());
            if (before != null) {
                before.uncaughtException(thread, error);
            }
        }
    }
}
