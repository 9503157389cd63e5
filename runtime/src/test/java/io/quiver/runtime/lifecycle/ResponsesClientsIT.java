package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.models.RealModels;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The clients of {@code /v1/responses}, unmodified, against the packaged server: the openai Python SDK's
 * {@code responses} client (answers, streams, text formats, a tool round trip, reasoning items) and the OpenAI
 * Agents SDK running one tool-using turn (src/test/clients). The real SmolLM2 answers, so the checks can read its
 * text; an R1 fixture whose template opens {@code <think>} gives reasoning items.
 */
class ResponsesClientsIT {
    private static final Path CLIENTS = Path.of("src", "test", "clients");
    private static final String MODEL = "smollm2";
    private static final String REASONER = "r1-think";
    /** Loading the real model comes first. */
    private static final Duration START = Duration.ofMinutes(3);
    private static ServerProcess server;

    @BeforeAll
    static void start() throws Exception {
        String think = "{% for m in messages %}<｜{{ m['role'] }}｜>{{ m['content'] }}{% endfor %}"
                + "{% if add_generation_prompt %}<｜Assistant｜><think>\n{% endif %}";
        server = ServerProcess.start(
                "quiver.models." + MODEL + ".path=" + RealModels.smollm2(),
                "quiver.models." + MODEL + ".context-length=2048",
                "quiver.models." + REASONER + ".path=embedded:tiny-random-deepseek-r1",
                "quiver.models." + REASONER + ".chat-template=" + think);
        server.awaitReady(START);
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    @Test
    void pythonResponsesClient() throws Exception {
        String out = OpenAiSdkIT.run(List.of(OpenAiSdkIT.python(), CLIENTS.resolve("openai_responses.py").toString(),
                server.uri("/v1").toString(), MODEL, REASONER));
        for (String check : List.of("ok answer", "ok stream ", "ok stream helper", "ok json_schema", "ok json_object",
                "ok tools", "ok streamed tools", "ok reasoning", "ok refusals")) {
            assertTrue(out.contains(check), out);
        }
    }

    @Test
    void agentsSdkToolTurn() throws Exception {
        String out = OpenAiSdkIT.run(List.of(OpenAiSdkIT.python(), CLIENTS.resolve("openai_agents.py").toString(),
                server.uri("/v1").toString(), MODEL));
        assertTrue(out.contains("ok agent turn ") && out.contains("ok agent turn streamed"), out);
    }
}
