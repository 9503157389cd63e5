package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.models.RealModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official anthropic Python SDK, unmodified, against the packaged server's {@code /v1/messages}: messages and
 * the stream helper's final message, system and multi-turn, stop sequences, a tool_use / tool_result round trip,
 * tool use streamed as it decodes (the stream helper's message equals the non-streamed one) and
 * {@code messages.parse} on the real SmolLM2, thinking blocks from an R1 template that opens {@code <think>},
 * count_tokens and errors raised as the SDK's exceptions (src/test/clients/anthropic_sdk.py). The SDK comes from
 * the pinned environment (QUIVER_VENV, else models/fixtures/python-env.sh makes it).
 */
class AnthropicSdkIT {
    private static final Path CLIENTS = Path.of("src", "test", "clients");
    private static final String MODEL = "tiny-random-deepseek-r1";
    /** The test profile's r1-think: the fixture with a template whose generation prompt opens {@code <think>}. */
    private static final String THINKING_TEMPLATE = "{{ bos_token }}{% for message in messages %}{% if "
            + "message['role'] == 'user' %}{{ '<｜User｜>' + message['content'] }}{% elif message['role'] == "
            + "'assistant' %}{{ '<｜Assistant｜>' + message['content'] + '<｜end▁of▁sentence｜>' }}{% endif %}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<｜Assistant｜><think>\\n' }}{% endif %}";
    /** It loads the real SmolLM2 too, beside the fixtures. */
    private static final Duration READY = Duration.ofMinutes(3);
    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(Map.of(),
                "quiver.models." + MODEL + ".path=embedded:" + MODEL,
                "quiver.models.r1-think.path=embedded:" + MODEL,
                "quiver.models.r1-think.chat-template=" + THINKING_TEMPLATE,
                "quiver.models.smollm2.path=" + RealModels.smollm2(),
                "quiver.models.smollm2.context-length=2048");
        server.awaitReady(READY);
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    private static String python() throws Exception {
        String venv = System.getenv("QUIVER_VENV");
        if (venv != null && Files.isExecutable(Path.of(venv, "bin", "python"))) {
            return Path.of(venv, "bin", "python").toString();
        }
        return run(List.of("../models/fixtures/python-env.sh")).strip().lines().reduce((a, b) -> b).orElseThrow();
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), "client still running: " + out);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void pythonSdk() throws Exception {
        String out = run(List.of(python(), CLIENTS.resolve("anthropic_sdk.py").toString(),
                server.uri("").toString(), MODEL, "r1-think", "smollm2"));
        for (String check : List.of("ok create", "ok stream", "ok multi-turn", "ok stop_sequences", "ok tools",
                "ok streamed tool_use", "ok thinking", "ok parse", "ok errors")) {
            assertTrue(out.contains(check), out);
        }
    }
}
