package io.quiver.models;

import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * Bounds what a request's text may cost before it is admitted. A tokenizer's work grows with the characters it
 * reads, not with the tokens a model can take, so text is tokenised in growing prefixes and only until it is known
 * to hold more tokens than its limit: the work is proportional to the limit, whatever the size of the body.
 *
 * <p>No tokenizer of a served family spends more than {@link #MAX_CHARS_PER_TOKEN} characters on one token of
 * real text (English averages about 4); text longer than that many characters per allowed token cannot fit and
 * is judged from its prefix alone.
 */
public final class TokenBudget {
    /** Characters one token may cover at most, for the cheap bound before tokenising. */
    public static final int MAX_CHARS_PER_TOKEN = 64;
    private static final int FIRST_CHARS_PER_TOKEN = 4;
    /** How far back a prefix cut looks for whitespace, so that it does not split a word into other tokens. */
    private static final int WORD_SLACK = 256;

    private TokenBudget() {
    }

    /**
     * An encoding of a text or of a prefix of it.
     *
     * @param text     what was encoded: the text, or the prefix of it that was read
     * @param complete the whole text was read; when false the text certainly holds more than the limit
     */
    public record Bounded<E>(E encoding, String text, boolean complete) {
    }

    /** The longest text, in characters, that {@code tokens} tokens can cover. */
    public static long maxChars(int tokens) {
        return (long) Math.max(tokens, 1) * MAX_CHARS_PER_TOKEN;
    }

    /**
     * Encodes {@code text}, or only as much of it as shows that it holds more than {@code limit} tokens. When the
     * result is incomplete its encoding is of a prefix whose first {@code limit} tokens are the text's own (the
     * prefix ends at a word boundary where one is near), which is what truncation keeps.
     */
    public static <E> Bounded<E> encode(String text, int limit, Function<String, E> encoder,
                                        ToIntFunction<E> length) {
        long ceiling = maxChars(limit + 1);
        long span = (long) (limit + 1) * FIRST_CHARS_PER_TOKEN;
        while (true) {
            if (span >= text.length()) {
                return new Bounded<>(encoder.apply(text), text, true);
            }
            String prefix = text.substring(0, cut(text, (int) span));
            E encoded = encoder.apply(prefix);
            if (length.applyAsInt(encoded) > limit || span >= ceiling) {
                return new Bounded<>(encoded, prefix, false);
            }
            span = Math.min(span * 2, ceiling);
        }
    }

    /** A cut at or before {@code at}: at the end of a word when one is near, never inside a surrogate pair. */
    static int cut(String text, int at) {
        for (int i = at; i > Math.max(0, at - WORD_SLACK); i--) {
            if (!Character.isWhitespace(text.charAt(i - 1)) && Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return Character.isLowSurrogate(text.charAt(at)) ? at - 1 : at;
    }
}
