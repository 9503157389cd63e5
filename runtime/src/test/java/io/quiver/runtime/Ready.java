package io.quiver.runtime;

import static io.restassured.RestAssured.given;

import java.time.Duration;

/** Models load after the HTTP server is up; tests wait for /health the way a readiness probe would. */
public final class Ready {
    private Ready() {
    }

    public static void await() {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (given().get("/health").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("server not ready within 120 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
