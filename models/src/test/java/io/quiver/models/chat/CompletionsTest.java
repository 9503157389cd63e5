package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What the accumulator counts beyond text: the tokens a choice spent reasoning. */
class CompletionsTest {
    private static Delta delta(String reasoning, String content) {
        return new Delta(reasoning, content, 1, new int[] {7});
    }

    @Test
    void reasoningTokensAreThoseBeforeTheAnswerIncludingTheClosingTag() {
        Completions c = new Completions(1);
        c.add(0, delta("", ""));        // "<think>" held back, then dropped
        c.add(0, delta("Let me", ""));
        c.add(0, delta(" see", ""));
        c.add(0, delta("", ""));        // "</think>"
        c.add(0, delta("", "Four"));
        c.add(0, delta("", "."));
        c.end(0, FinishReason.STOP, new Usage(5, 6));
        assertEquals(4, c.choice(0).reasoningTokens());
        assertEquals("Let me see", c.choice(0).reasoning());
        assertEquals("Four.", c.choice(0).content());
    }

    @Test
    void aChoiceThatNeverReasonedSpentNoTokensReasoning() {
        Completions c = new Completions(2);
        c.add(0, delta("", ""));        // bytes of a character held back
        c.add(0, delta("", "é"));
        c.add(1, delta("Hmm", ""));     // cut short while still reasoning
        assertEquals(0, c.choice(0).reasoningTokens());
        assertEquals(1, c.choice(1).reasoningTokens());
    }
}
