package io.quiver.runtime.api.chat;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Admitted requests may wait on their model for 300 ms only: far less than a long generation takes. */
public class RequestTimeoutProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quiver.request-timeout", "300ms");
    }
}
