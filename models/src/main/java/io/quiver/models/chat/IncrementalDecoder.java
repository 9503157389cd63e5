package io.quiver.models.chat;

import java.util.Arrays;

/**
 * Turns a growing list of token ids into text deltas. A byte-level BPE token can end inside a UTF-8 character, so
 * the decoder re-decodes a short window and holds text back while it ends in a replacement character.
 */
final class IncrementalDecoder {
    private static final char REPLACEMENT = '\uFFFD';
    private final ChatTokenizer tokenizer;
    private int[] ids = new int[64];
    private int size;
    private int prefixOffset;
    private int readOffset;

    IncrementalDecoder(ChatTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Appends a token and returns the text it completes (possibly empty). */
    String add(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefix = tokenizer.decode(ids, prefixOffset, readOffset);
        String full = tokenizer.decode(ids, prefixOffset, size);
        if (full.length() > prefix.length() && full.charAt(full.length() - 1) != REPLACEMENT) {
            String delta = full.startsWith(prefix) ? full.substring(prefix.length()) : full.substring(commonPrefix(prefix, full));
            prefixOffset = readOffset;
            readOffset = size;
            return delta;
        }
        return "";
    }

    /** Text still held back (an incomplete character at the very end), as the decoder renders it. */
    String flush() {
        if (readOffset == size) {
            return "";
        }
        String prefix = tokenizer.decode(ids, prefixOffset, readOffset);
        String full = tokenizer.decode(ids, prefixOffset, size);
        readOffset = size;
        prefixOffset = size;
        return full.length() > prefix.length() ? full.substring(prefix.length()) : "";
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }
}
