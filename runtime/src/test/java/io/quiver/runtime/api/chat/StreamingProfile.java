package io.quiver.runtime.api.chat;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * A cap of two, keep-alive comments after 1 ms of silence so every stream carries some, and a small stream
 * buffer and socket send buffer so that a client which stops reading is found out within a few dozen tokens.
 */
public class StreamingProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quiver.concurrency.max", "2",
                "quiver.concurrency.queue", "4",
                "quiver.stream.keep-alive", "1ms",
                "quiver.stream.buffer", "32",
                "quiver.stream.stall-timeout", "3s",
                "test.http.send-buffer-size", "4096",
                // Room for image requests slow enough to hold both slots while the test drops them.
                "quiver.images.max-native-steps", "100000");
    }
}
