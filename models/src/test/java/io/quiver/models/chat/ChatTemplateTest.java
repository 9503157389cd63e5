package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DeepSeek's real chat template rendered by Jinjava, against transformers.js' rendering (the npm reference). */
class ChatTemplateTest {
    private static ChatEngine engine;

    @BeforeAll
    static void load() {
        engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void deepSeekTemplateMatchesTheReference() {
        int checked = 0;
        for (JsonNode c : ChatFixture.GOLDEN.path("cases")) {
            if (!c.has("messages") || c.path("template").isTextual()) {
                continue;
            }
            String rendered = engine.renderChat(ChatFixture.messages(c), c.path("add_generation_prompt").asBoolean());
            assertEquals(c.path("text").asText(), rendered, c.path("name").asText());
            assertArrayEquals(ChatFixture.ints(c.path("prompt_ids")), engine.encode(rendered), c.path("name").asText());
            checked++;
        }
        assertEquals(4, checked, "system+user, long user, multi-turn, no generation prompt");
    }

    @Test
    void renderedPromptGetsNoSecondBos() {
        String rendered = engine.renderChat(List.of(new ChatMessage("user", "Hi")), true);
        int bos = ChatFixture.GOLDEN.path("bos_token_id").asInt();
        int[] ids = engine.encode(rendered);
        assertEquals(bos, ids[0]);
        assertTrue(ids[1] != bos, "double BOS");
        int[] raw = engine.encode("Hi");
        assertEquals(bos, raw[0], "a raw prompt gets the BOS the tokenizer config asks for");
        assertEquals(raw.length, ChatFixture.ints(ChatFixture.goldenCase("raw_short").path("prompt_ids")).length);
    }

    @Test
    void templateOverrideThatPrefillsThinkMatchesTheReference() {
        JsonNode c = ChatFixture.goldenCase("think_template");
        try (ChatEngine r1 = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1)
                .withChatTemplate(c.path("template").asText()))) {
            String rendered = r1.renderChat(ChatFixture.messages(c), true);
            assertEquals(c.path("text").asText(), rendered);
            assertTrue(rendered.endsWith("<think>\n"));
            assertTrue(ChatPrompt.opensReasoning(rendered));
            assertFalse(ChatPrompt.opensReasoning(engine.renderChat(ChatFixture.messages(c), true)));
        }
    }

    @Test
    void raiseExceptionBecomesAnInvalidRequest() {
        String strict = "{% for m in messages %}{% if m['role'] == 'system' %}"
                + "{{ raise_exception('System messages are not supported') }}{% endif %}{{ m['content'] }}{% endfor %}";
        try (ChatEngine e = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1).withChatTemplate(strict))) {
            assertEquals("ok", e.renderChat(List.of(new ChatMessage("user", "ok")), true));
            InvalidRequestException error = assertThrows(InvalidRequestException.class,
                    () -> e.renderChat(List.of(new ChatMessage("system", "x")), true));
            assertEquals("messages", error.param());
            assertTrue(error.getMessage().contains("System messages are not supported"), error.getMessage());
        }
    }
}
