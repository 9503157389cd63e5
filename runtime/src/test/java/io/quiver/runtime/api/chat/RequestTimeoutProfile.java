package io.quiver.runtime.api.chat;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Requests may wait on their model for 300 ms only: far less than a long generation takes, or the compile of a
 * grammar these limits let take seconds.
 */
public class RequestTimeoutProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quiver.request-timeout", "300ms", "quiver.structured-outputs.max-states", "600000",
                "quiver.structured-outputs.compile-timeout", "5m");
    }
}
