package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.models.RealModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool calls streamed as they decode, read by the official Python and Node openai SDKs' own stream helpers
 * (src/test/clients/streamed_tools.*): the calls they assemble from the fragments are the non-streamed answer's, on
 * the real SmolLM2 (Hermes calls, text before them, {@code parallel_tool_calls: false}, Node's runTools running one
 * tool turn) and on the tiny DeepSeek-template model under {@code tool_choice: required}.
 */
class StreamedToolCallsIT {
    private static final Path CLIENTS = Path.of("src", "test", "clients");
    private static final String REAL = "smollm2";
    private static final String TINY = "tiny-random-deepseek-r1";
    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(Map.of(), "quiver.models." + REAL + ".path=" + RealModels.smollm2(),
                "quiver.models." + REAL + ".context-length=2048",
                "quiver.models." + TINY + ".path=embedded:" + TINY);
        server.awaitReady(ProcessIT.START.multipliedBy(3));
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void pythonStreamHelper() throws Exception {
        String out = OpenAiSdkIT.run(List.of(OpenAiSdkIT.python(), CLIENTS.resolve("streamed_tools.py").toString(),
                server.uri("/v1").toString(), REAL, TINY));
        for (String check : List.of("ok auto", "ok parallel_tool_calls false", "ok required")) {
            assertTrue(out.contains(check), out);
        }
    }

    @Test
    void nodeStreamHelperAndRunTools() throws Exception {
        OpenAiSdkIT.run(List.of(CLIENTS.resolve("install.sh").toString()));
        String out = OpenAiSdkIT.run(List.of("node", CLIENTS.resolve("streamed_tools.mjs").toString(),
                server.uri("/v1").toString(), REAL, TINY));
        for (String check : List.of("ok auto", "ok runTools", "ok required")) {
            assertTrue(out.contains(check), out);
        }
    }
}
