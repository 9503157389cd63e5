package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tool calls as each template family writes them: parsed out of text, forced by an automaton, rendered back. */
class ToolCallsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A Hermes-style template in the manner of Qwen2.5's: tools in the system turn, calls and results tagged. */
    static final String HERMES_TEMPLATE = """
            {%- if tools %}<|im_start|>system
            # Tools
            <tools>{% for tool in tools %}{{ tool | tojson }}{% endfor %}</tools><|im_end|>
            {% endif %}{%- for message in messages %}{%- if message.role == 'tool' %}<|im_start|>user
            <tool_response>
            {{ message.content }}
            </tool_response><|im_end|>
            {% elif message.tool_calls %}<|im_start|>assistant
            {% for call in message.tool_calls %}<tool_call>
            {"name": "{{ call.function.name }}", "arguments": {{ call.function.arguments | tojson }}}
            </tool_call>{% endfor %}<|im_end|>
            {% else %}<|im_start|>{{ message.role }}
            {{ message.content }}<|im_end|>
            {% endif %}{%- endfor %}{%- if add_generation_prompt %}<|im_start|>assistant
            {% endif %}""";
    private static ChatEngine deepSeek;
    private static ChatEngine hermes;

    @BeforeAll
    static void load() {
        deepSeek = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(2));
        hermes = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(2).withChatTemplate(HERMES_TEMPLATE));
    }

    @AfterAll
    static void close() {
        deepSeek.close();
        hermes.close();
    }

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void eachFamilysCallsParse() throws Exception {
        var hermesCalls = ToolCalls.HERMES.parse("Let me look.\n<tool_call>\n{\"name\": \"weather\", \"arguments\": "
                + "{\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>{\"name\":\"time\",\"arguments\":\"{}\"}</tool_call>");
        assertEquals("Let me look.", hermesCalls.content());
        assertEquals(List.of("weather", "time"), hermesCalls.calls().stream().map(ToolCall::name).toList());
        assertEquals(json("{\"city\":\"Paris\"}"), json(hermesCalls.calls().getFirst().arguments()));
        assertTrue(hermesCalls.calls().getFirst().id().startsWith("call_"));

        var r1 = ToolCalls.DEEPSEEK.parse("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>weather\n"
                + "```json\n{\"city\": \"Oslo\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>");
        assertNull(r1.content());
        assertEquals("weather", r1.calls().getFirst().name());
        assertEquals(json("{\"city\":\"Oslo\"}"), json(r1.calls().getFirst().arguments()));
        var v31 = ToolCalls.DEEPSEEK.parse("ok<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>time<｜tool▁sep｜>{\"tz\":"
                + "\"UTC\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>");
        assertEquals("ok", v31.content());
        assertEquals("time", v31.calls().getFirst().name());

        var llama = ToolCalls.LLAMA.parse("<|python_tag|>{\"name\": \"weather\", \"parameters\": {\"city\": \"Rome\"}}");
        assertEquals(json("{\"city\":\"Rome\"}"), json(llama.calls().getFirst().arguments()));
        for (ToolCalls family : ToolCalls.values()) {
            var plain = family.parse("Just an answer {not a call}.");
            assertTrue(plain.calls().isEmpty());
            assertEquals("Just an answer {not a call}.", plain.content());
        }
    }

    @Test
    void familiesAreToldFromTheTemplate() {
        assertEquals(ToolCalls.DEEPSEEK, deepSeek.toolCalls());
        assertEquals(ToolCalls.HERMES, hermes.toolCalls());
        assertEquals(ToolCalls.LLAMA, ToolCalls.of("{{ '<|start_header_id|>ipython<|end_header_id|>' }}"));
    }

    @Test
    void forcedCallsAreCallsOfTheTools() throws Exception {
        List<ToolCalls.Tool> tools = List.of(new ToolCalls.Tool("weather", json(
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}")),
                new ToolCalls.Tool("ping", null));
        for (ToolCalls family : ToolCalls.values()) {
            GrammarBudget budget = GrammarBudget.of(GrammarLimits.defaults(), "tool_choice");
            ByteDfa a = budget.dfa(family.forced(tools, budget));
            String call = switch (family) {
                case HERMES -> "<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
                case LLAMA -> "{\"name\":\"ping\",\"parameters\":{}}";
                case DEEPSEEK -> "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>weather\n```json\n"
                        + "{\"city\":\"Paris\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>";
            };
            assertTrue(a.matches(bytes(call)), family + ": " + call);
            assertFalse(a.matches(bytes(call.replace("weather", "rain").replace("ping", "pong"))),
                    family + " other name");
            assertEquals(1, family.parse(call).calls().size(), family + " parses what it forces");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void callsAndResultsRenderBack() {
        List<ChatMessage> turns = List.of(new ChatMessage("user", "Weather in Paris?"),
                new ChatMessage("assistant", null, List.of(new ToolCall("call_1", "weather", "{\"city\":\"Paris\"}")),
                        null, null),
                new ChatMessage("tool", "18 C and sunny", List.of(), "call_1", "weather"));
        String r1 = deepSeek.renderChat(turns, true);
        assertTrue(r1.contains("<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>weather\n```json\n"
                + "{\"city\":\"Paris\"}\n```<｜tool▁call▁end｜>"), r1);
        assertTrue(r1.contains("<｜tool▁output▁begin｜>18 C and sunny<｜tool▁output▁end｜>"), r1);

        List<Object> tools = List.of(java.util.Map.of("type", "function", "function", java.util.Map.of("name",
                "weather")));
        String h = hermes.renderChat(turns, true, tools);
        assertTrue(h.contains("<tools>{\"type\":\"function\",\"function\":{\"name\":\"weather\"}}</tools>")
                || h.contains("\"name\":\"weather\""), h);
        assertTrue(h.contains("\"arguments\": {\"city\":\"Paris\"}"), "arguments as an object: " + h);
        assertTrue(h.contains("<tool_response>\n18 C and sunny\n</tool_response>"), h);
    }
}
