package io.quiver.models.chat;

/**
 * Splits streamed text into reasoning ({@code <think>…</think>}) and content, as DeepSeek-R1 writes it. A tag split
 * across deltas is held back until it is whole; the tags themselves are dropped. When the prompt already opened the
 * block (templates that pre-fill {@code <think>}), everything before {@code </think>} is reasoning.
 */
final class ReasoningSplitter {
    static final String OPEN = "<think>";
    static final String CLOSE = "</think>";

    private final boolean enabled;
    private final StringBuilder held = new StringBuilder();
    private boolean inReasoning;

    /** The two parts of one step's text. */
    record Split(String reasoning, String content) {
        static final Split EMPTY = new Split("", "");
    }

    ReasoningSplitter(boolean enabled, boolean prefilled) {
        this.enabled = enabled;
        this.inReasoning = enabled && prefilled;
    }

    Split accept(String text) {
        if (!enabled) {
            return new Split("", text);
        }
        held.append(text);
        StringBuilder reasoning = new StringBuilder();
        StringBuilder content = new StringBuilder();
        while (true) {
            String tag = inReasoning ? CLOSE : OPEN;
            int at = held.indexOf(tag);
            if (at >= 0) {
                (inReasoning ? reasoning : content).append(held, 0, at);
                held.delete(0, at + tag.length());
                inReasoning = !inReasoning;
                continue;
            }
            int keep = partialTag(tag);
            (inReasoning ? reasoning : content).append(held, 0, held.length() - keep);
            held.delete(0, held.length() - keep);
            break;
        }
        return new Split(reasoning.toString(), content.toString());
    }

    /** Whatever was held back as a possible tag, at the end of the completion. */
    Split flush() {
        String rest = held.toString();
        held.setLength(0);
        return inReasoning ? new Split(rest, "") : new Split("", rest);
    }

    private int partialTag(String tag) {
        for (int n = Math.min(tag.length() - 1, held.length()); n > 0; n--) {
            if (endsWithPrefix(held, tag, n)) {
                return n;
            }
        }
        return 0;
    }

    /** True when the last {@code n} characters of {@code text} equal the first {@code n} of {@code tag}. */
    static boolean endsWithPrefix(CharSequence text, String tag, int n) {
        int start = text.length() - n;
        for (int i = 0; i < n; i++) {
            if (text.charAt(start + i) != tag.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
