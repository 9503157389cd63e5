package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.models.InvalidRequestException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a request brings is data to the chat template, never template code, and a render is bounded. */
class ChatTemplateSafetyTest {
    private static final String ECHO = "{% for m in messages %}[{{ m['role'] }}]{{ m['content'] }}{% endfor %}";
    private static ChatEngine engine;

    @BeforeAll
    static void load() {
        engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1).withChatTemplate(ECHO));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static String render(String content) {
        return engine.renderChat(List.of(new ChatMessage("user", content)), true);
    }

    @Test
    void expressionsInMessageTextStayText() {
        assertEquals("[user]{{ 7 * 7 }}", render("{{ 7 * 7 }}"));
        assertEquals("[user]{{ raise_exception('boom') }}", render("{{ raise_exception('boom') }}"));
        assertEquals("[user]{{ bos_token }}", render("{{ bos_token }}"));
    }

    @Test
    void statementsInMessageTextStayText() {
        String loop = "{% for a in range(50) %}{% for b in range(50) %}{% for c in range(50) %}x"
                + "{% endfor %}{% endfor %}{% endfor %}";
        assertEquals("[user]" + loop, render(loop));
        assertEquals("[user]{% include 'application.properties' %}", render("{% include 'application.properties' %}"));
    }

    @Test
    void moreMessagesThanTheContextAreRefusedBeforeRendering() {
        List<ChatMessage> many = new ArrayList<>(Collections.nCopies(engine.contextLength() + 1,
                new ChatMessage("user", "hi")));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> engine.renderChat(many, true));
        assertEquals("messages", e.param());
        assertTrue(e.getMessage().contains("cannot fit the context"), e.getMessage());
    }

    @Test
    void aRenderLongerThanTheContextCanHoldIsRefused() {
        String loop = "{% for i in range(100000) %}{{ messages[0]['content'] }}{% endfor %}";
        try (ChatEngine looping = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1).withChatTemplate(loop))) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> looping.renderChat(List.of(new ChatMessage("user", "a few words here")), true));
            assertTrue(e.getMessage().contains("longer than"), e.getMessage());
        }
    }

    @Test
    void templatesCannotReachOutsideThemselves() {
        String include = "{% include 'application.properties' %}{{ messages[0]['content'] }}";
        try (ChatEngine including = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1)
                .withChatTemplate(include))) {
            String out;
            try {
                out = including.renderChat(List.of(new ChatMessage("user", "hi")), true);
            } catch (InvalidRequestException refused) {
                out = refused.getMessage();
            }
            assertTrue(!out.contains("quarkus") && !out.contains("quiver."), out);
        }
    }

    @Test
    void aPromptBeyondTheContextIsRefusedAfterReadingAPrefix() {
        String huge = "word ".repeat(1_000_000);
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> engine.encodePrompt(huge, "messages"));
        assertTrue(e.getMessage().startsWith("more than "), e.getMessage());
        int[] fits = engine.encodePrompt("word ".repeat(10), "prompt");
        assertEquals(engine.encode("word ".repeat(10)).length, fits.length);
    }
}
