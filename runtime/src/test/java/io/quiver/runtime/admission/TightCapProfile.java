package io.quiver.runtime.admission;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A pod with room for 2 running and 4 waiting, a short queue timeout, an API key and a small body limit. */
public class TightCapProfile implements QuarkusTestProfile {
    public static final String KEY = "test-key";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quiver.concurrency.max", "2", "quiver.concurrency.queue", "4",
                "quiver.concurrency.queue-timeout", "3s", "quiver.api-key", KEY,
                "quiver.max-body-size", "256K");
    }
}
