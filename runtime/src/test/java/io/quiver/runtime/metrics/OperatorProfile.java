package io.quiver.runtime.metrics;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A pod with an API key, /events open to a Broker that sends none, and the access log on. */
public class OperatorProfile implements QuarkusTestProfile {
    public static final String KEY = "operator-key";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quiver.api-key", KEY, "quiver.events.auth", "none", "quiver.access-log", "true");
    }
}
