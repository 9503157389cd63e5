package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official Python and Node openai SDKs, unmodified, against the packaged server with its default models:
 * logprobs, n = 2, a json_schema response format and a tool round trip (src/test/clients). The Python SDK comes
 * from the pinned environment (QUIVER_VENV, else models/fixtures/python-env.sh makes it), the Node one from
 * src/test/clients/install.sh.
 */
class OpenAiSdkIT {
    private static final Path CLIENTS = Path.of("src", "test", "clients");
    private static final String MODEL = "tiny-random-deepseek-r1";
    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(Map.of());
        server.awaitReady(ProcessIT.START);
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    /** Runs a client to its end; its output, asserting it exited 0. */
    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "client still running: " + out);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    static String python() throws Exception {
        String venv = System.getenv("QUIVER_VENV");
        if (venv != null && Files.isExecutable(Path.of(venv, "bin", "python"))) {
            return Path.of(venv, "bin", "python").toString();
        }
        return run(List.of("../models/fixtures/python-env.sh")).strip().lines().reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void pythonSdk() throws Exception {
        String out = run(List.of(python(), CLIENTS.resolve("openai_sdk.py").toString(),
                server.uri("/v1").toString(), MODEL));
        for (String check : List.of("ok logprobs", "ok n=2", "ok json_schema", "ok tools", "ok streamed tools")) {
            assertTrue(out.contains(check), out);
        }
    }

    @Test
    void nodeSdk() throws Exception {
        run(List.of(CLIENTS.resolve("install.sh").toString()));
        String out = run(List.of("node", CLIENTS.resolve("openai_sdk.mjs").toString(), server.uri("/v1").toString(),
                MODEL));
        for (String check : List.of("ok logprobs", "ok n=2", "ok json_schema", "ok tools")) {
            assertTrue(out.contains(check), out);
        }
    }
}
