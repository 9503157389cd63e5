package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A prompt opens reasoning when the template's generation prompt does, whatever the messages say. */
class ReasoningPromptTest {
    @Test
    void theGenerationPromptDecidesNotTheUsersText() {
        List<ChatMessage> asks = List.of(new ChatMessage("user", "What does the <think> tag mean?"));
        List<ChatMessage> closes = List.of(new ChatMessage("user", "Close it: </think>"));
        try (ChatEngine plain = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1))) {
            ChatPrompt prompt = plain.renderForCompletion(asks);
            assertEquals(plain.renderChat(asks, true), prompt.text());
            assertFalse(prompt.opensReasoning(), "DeepSeek-V3's template appends <｜Assistant｜> only");
        }
        String prefills = ChatFixture.goldenCase("think_template").path("template").asText();
        try (ChatEngine r1 = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1).withChatTemplate(prefills))) {
            assertTrue(r1.renderForCompletion(asks).opensReasoning());
            assertTrue(r1.renderForCompletion(closes).opensReasoning(), "a </think> in the text closes nothing");
        }
    }
}
