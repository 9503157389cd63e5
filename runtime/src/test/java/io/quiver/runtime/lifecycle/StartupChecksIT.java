package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings that would silently weaken the pod fail its start instead, with one line. */
class StartupChecksIT {
    @Test
    void anEmptyApiKeyStopsStartupInsteadOfTurningAuthenticationOff() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_API_KEY", ""),
                "quiver.models.m.path=embedded:all-minilm-l6-v2")) {
            ProcessIT.assertFailsWithOneLine(server, "QUIVER_API_KEY", "empty");
        }
    }

    @Test
    void theStartLogSaysWhetherAKeyIsRequired() throws Exception {
        try (ServerProcess server = ServerProcess.start(Map.of("QUIVER_API_KEY", "k"),
                "quiver.models.m.path=embedded:all-minilm-l6-v2")) {
            server.awaitReady(ProcessIT.START);
            assertTrue(server.output().contains("API key required on inference routes"), server.output());
        }
    }
}
