package io.quiver.runtime.lifecycle;

import java.util.concurrent.CompletableFuture;

/**
 * What the packaged launch ({@code QuiverMain}) tells the registry: that it runs the application, and when the
 * framework has started — HTTP listening and Quarkus' "started in … Listening on" line written, which comes after
 * the framework's startup event. Tests and dev mode start the application without it.
 */
public final class Launch {
    private static volatile boolean fromMain;
    private static final CompletableFuture<Long> STARTED = new CompletableFuture<>();

    private Launch() {
    }

    /** Called by main before it starts the framework. */
    public static void fromMain() {
        fromMain = true;
    }

    /** Called once the framework has started (epoch milliseconds now). */
    public static void frameworkStarted() {
        STARTED.complete(System.currentTimeMillis());
    }

    static boolean isFromMain() {
        return fromMain;
    }

    /** Completes with the epoch milliseconds at which the framework had started. */
    static CompletableFuture<Long> started() {
        return STARTED;
    }
}
