package io.quiver.runtime.api.chat;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Grammars may have 600 000 states and compile for minutes: a compile that takes seconds can be watched. */
public class SlowGrammarProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quiver.structured-outputs.max-states", "600000",
                "quiver.structured-outputs.compile-timeout", "5m");
    }
}
