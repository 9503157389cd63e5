package io.quiver.models.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * The bytes each token id stands for, read from tokenizer.json: byte-level BPE vocabularies (GPT-2, Llama 3, Qwen,
 * DeepSeek) map each character back through GPT-2's byte-to-unicode table; SentencePiece-style ones turn
 * {@code ▁} into a space and {@code <0xNN>} into its byte; added tokens are their content's UTF-8. What log
 * probabilities report ({@code bytes}) and what constrained decoding matches against.
 */
final class TokenBytes {
    private static final byte[] NONE = new byte[0];
    private final byte[][] bytes;
    private final boolean[] special;

    private TokenBytes(byte[][] bytes, boolean[] special) {
        this.bytes = bytes;
        this.special = special;
    }

    static TokenBytes read(Path tokenizerJson, int vocabSize) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new ModelLoadException(tokenizerJson, "cannot read tokenizer: " + e.getMessage(), e);
        }
        boolean byteLevel = "ByteLevel".equals(root.path("decoder").path("type").asText())
                || root.path("decoder").path("decoders").findValues("type").stream()
                .anyMatch(t -> t.asText().equals("ByteLevel"));
        int size = vocabSize;
        JsonNode vocab = root.path("model").path("vocab");
        for (JsonNode id : (Iterable<JsonNode>) vocab::elements) {
            size = Math.max(size, id.asInt() + 1);
        }
        for (JsonNode added : root.path("added_tokens")) {
            size = Math.max(size, added.path("id").asInt() + 1);
        }
        byte[][] bytes = new byte[size][];
        boolean[] special = new boolean[size];
        int[] unicodeToByte = byteLevel ? unicodeToByte() : null;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            bytes[e.getValue().asInt()] = byteLevel ? byteLevel(e.getKey(), unicodeToByte) : pieces(e.getKey());
        }
        for (JsonNode added : root.path("added_tokens")) {
            int id = added.path("id").asInt();
            bytes[id] = added.path("content").asText().getBytes(StandardCharsets.UTF_8);
            special[id] = added.path("special").asBoolean(false);
        }
        for (int i = 0; i < size; i++) {
            if (bytes[i] == null) {
                bytes[i] = NONE;
            }
        }
        return new TokenBytes(bytes, special);
    }

    /** The token's bytes (empty for ids the tokenizer does not define). */
    byte[] bytes(int id) {
        return id >= 0 && id < bytes.length ? bytes[id] : NONE;
    }

    /** Whether the id is an added special token (BOS, EOS, template markers). */
    boolean special(int id) {
        return id >= 0 && id < special.length && special[id];
    }

    int size() {
        return bytes.length;
    }

    private static byte[] byteLevel(String token, int[] unicodeToByte) {
        byte[] out = new byte[token.length()];
        int n = 0;
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < unicodeToByte.length ? unicodeToByte[c] : -1;
            if (b < 0) {
                // Not a byte-level character: keep the text as it is.
                return token.getBytes(StandardCharsets.UTF_8);
            }
            out[n++] = (byte) b;
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    private static byte[] pieces(String token) {
        if (token.length() == 6 && token.startsWith("<0x") && token.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(token.substring(3, 5), 16)};
            } catch (NumberFormatException ignored) {
                // an ordinary token that looks like one
            }
        }
        return token.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** GPT-2's bytes_to_unicode, inverted: printable bytes stand for themselves, the others for 256 + n. */
    private static int[] unicodeToByte() {
        int[] map = new int[512];
        java.util.Arrays.fill(map, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE;
            if (printable) {
                map[b] = b;
            } else {
                map[256 + n++] = b;
            }
        }
        return map;
    }
}
