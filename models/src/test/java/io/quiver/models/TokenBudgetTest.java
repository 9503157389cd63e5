package io.quiver.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The work spent on a text is bounded by its token limit, not by its size. */
class TokenBudgetTest {
    /** One token per whitespace-separated word, counting every character it is given. */
    private static final class Words {
        final AtomicLong charsRead = new AtomicLong();

        String[] encode(String text) {
            charsRead.addAndGet(text.length());
            return text.isBlank() ? new String[0] : text.trim().split("\\s+");
        }
    }

    @Test
    void aShortTextIsReadWhole() {
        Words words = new Words();
        var read = TokenBudget.encode("a b c", 10, words::encode, w -> w.length);
        assertTrue(read.complete());
        assertEquals(3, read.encoding().length);
        assertEquals(5, words.charsRead.get());
    }

    @Test
    void aHugeTextCostsWorkProportionalToTheLimit() {
        Words words = new Words();
        String text = "token ".repeat(2_000_000);
        var read = TokenBudget.encode(text, 100, words::encode, w -> w.length);
        assertFalse(read.complete());
        assertTrue(read.encoding().length > 100);
        assertTrue(words.charsRead.get() < 130L * 101, "read " + words.charsRead.get() + " characters");
    }

    @Test
    void textThatTokenisesToAlmostNothingIsStillBounded() {
        Words words = new Words();
        String text = " ".repeat(5_000_000) + "end";
        var read = TokenBudget.encode(text, 100, words::encode, w -> w.length);
        assertFalse(read.complete(), "longer than any 100 tokens can cover");
        assertTrue(words.charsRead.get() <= 130L * 101 * TokenBudget.MAX_CHARS_PER_TOKEN / 4);
    }

    @Test
    void aPrefixEndsAtAWordAndKeepsTheTextsOwnFirstTokens() {
        String text = "alpha beta gamma delta ".repeat(1000);
        Words words = new Words();
        var read = TokenBudget.encode(text, 50, words::encode, w -> w.length);
        assertFalse(read.complete());
        assertTrue(text.startsWith(read.text()));
        assertFalse(Character.isWhitespace(read.text().charAt(read.text().length() - 1)));
        String[] whole = words.encode(text);
        for (int i = 0; i < 50; i++) {
            assertEquals(whole[i], read.encoding()[i]);
        }
    }

    @Test
    void aCutNeverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDE00".repeat(10);
        int at = TokenBudget.cut(emoji, 5);
        assertEquals(4, at);
    }
}
