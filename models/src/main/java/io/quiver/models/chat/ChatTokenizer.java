package io.quiver.models.chat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.quiver.models.DjlOffline;
import io.quiver.models.ModelLoadException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * DJL's Hugging Face tokenizer over the folder's tokenizer.json, with one rule for the beginning-of-sequence token:
 * exactly one BOS when tokenizer_config.json asks for it, never two (templates usually render it themselves).
 */
final class ChatTokenizer implements AutoCloseable {
    static {
        DjlOffline.ensure();
    }

    private final HuggingFaceTokenizer tokenizer;
    private final int bosId;
    private final boolean addBos;

    private ChatTokenizer(HuggingFaceTokenizer tokenizer, int bosId, boolean addBos) {
        this.tokenizer = tokenizer;
        this.bosId = bosId;
        this.addBos = addBos;
    }

    static ChatTokenizer load(Path tokenizerJson, String bosToken, boolean addBos) {
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("addSpecialTokens", "false", "padding", "false", "truncation", "false"));
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(tokenizerJson, "cannot read tokenizer: " + e.getMessage(), e);
        }
        int bos = -1;
        if (bosToken != null) {
            long[] ids = tokenizer.encode(bosToken, false, false).getIds();
            if (ids.length == 1) {
                bos = (int) ids[0];
            }
        }
        return new ChatTokenizer(tokenizer, bos, addBos && bos >= 0);
    }

    /** Token ids of {@code text}; prepends BOS when the tokenizer config asks for it and the text has none. */
    int[] encode(String text) {
        return encode(text, true);
    }

    /** Token ids of {@code text}; BOS as {@link #encode(String)} adds it only with {@code addSpecial}. */
    int[] encode(String text, boolean addSpecial) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        boolean prepend = addSpecial && addBos && (ids.length == 0 || ids[0] != bosId);
        int[] out = new int[ids.length + (prepend ? 1 : 0)];
        int at = 0;
        if (prepend) {
            out[at++] = bosId;
        }
        for (long id : ids) {
            out[at++] = (int) id;
        }
        return out;
    }

    /** Text of the ids; special tokens (BOS, EOS, padding) are skipped. */
    String decode(int[] ids, int from, int to) {
        return decode(ids, from, to, true);
    }

    /** Text of the ids, special tokens skipped or kept. */
    String decode(int[] ids, int from, int to, boolean skipSpecial) {
        long[] slice = new long[to - from];
        for (int i = from; i < to; i++) {
            slice[i - from] = ids[i];
        }
        return tokenizer.decode(slice, skipSpecial);
    }

    int bosId() {
        return bosId;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
