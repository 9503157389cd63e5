package io.quiver.models.diffusion;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.models.DjlOffline;
import io.quiver.models.ModelFolder;
import io.quiver.models.ModelLoadException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * CLIP tokenisation as the Stable Diffusion pipelines call it: {@code <|startoftext|>}, the tokens,
 * {@code <|endoftext|>}, truncated to the model's maximum length and padded to it with the pad token.
 * The tokenizer is DJL's binding of Hugging Face tokenizers, loaded from {@code tokenizer/tokenizer.json}, or,
 * for a folder with only CLIP's {@code vocab.json} and {@code merges.txt}, from their conversion
 * ({@link ClipTokenizerJson}).
 */
final class ClipTokenizer implements AutoCloseable {
    static {
        DjlOffline.ensure();
    }

    private final HuggingFaceTokenizer tokenizer;
    private final int maxLength;
    private final long bos;
    private final long eos;
    private final long pad;

    private ClipTokenizer(HuggingFaceTokenizer tokenizer, int maxLength, long bos, long eos, long pad) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
    }

    static ClipTokenizer load(ModelFolder folder) {
        JsonNode config = folder.json("tokenizer/tokenizer_config.json");
        JsonNode specials = folder.json("tokenizer/special_tokens_map.json");
        String bosToken = token(config, specials, "bos_token", "<|startoftext|>");
        String eosToken = token(config, specials, "eos_token", "<|endoftext|>");
        String padToken = token(config, specials, "pad_token", eosToken);
        Path file;
        JsonNode json;
        byte[] converted = null;
        if (ClipTokenizerJson.applies(folder)) {
            // CLIP's slow-tokenizer files only (SD 1.x as exported): the fast tokenizer they convert to.
            file = folder.root().resolve("tokenizer/vocab.json");
            ObjectNode built = ClipTokenizerJson.convert(folder, bosToken, eosToken,
                    token(config, specials, "unk_token", eosToken));
            json = built;
            converted = ClipTokenizerJson.bytes(built);
        } else {
            file = folder.require("tokenizer", List.of("tokenizer/tokenizer.json"));
            json = folder.json("tokenizer/tokenizer.json");
        }
        int positions = folder.json("text_encoder/config.json").path("max_position_embeddings").asInt(77);
        double configured = config.path("model_max_length").asDouble(positions);
        int maxLength = configured >= 2 && configured <= positions ? (int) configured : positions;
        long bos = tokenId(json, file, bosToken);
        long eos = tokenId(json, file, eosToken);
        long pad = tokenId(json, file, padToken);
        Map<String, String> options = Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");
        try {
            HuggingFaceTokenizer tokenizer = converted == null ? HuggingFaceTokenizer.newInstance(file, options)
                    : HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(converted), options);
            return new ClipTokenizer(tokenizer, maxLength, bos, eos, pad);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException(file, "cannot load the tokenizer: " + e.getMessage(), e);
        }
    }

    private static String token(JsonNode config, JsonNode specials, String field, String fallback) {
        return token(config, field, token(specials, field, fallback));
    }

    /** A special token's text: a plain string or an AddedToken object with {@code content}. */
    private static String token(JsonNode config, String field, String fallback) {
        JsonNode node = config.path(field);
        if (node.isTextual()) {
            return node.asText();
        }
        return node.path("content").isTextual() ? node.path("content").asText() : fallback;
    }

    private static long tokenId(JsonNode tokenizerJson, Path file, String token) {
        for (JsonNode added : tokenizerJson.path("added_tokens")) {
            if (token.equals(added.path("content").asText())) {
                return added.path("id").asLong();
            }
        }
        JsonNode id = tokenizerJson.path("model").path("vocab").path(token);
        if (id.isNumber()) {
            return id.asLong();
        }
        throw new ModelLoadException(file, "the special token " + token + " is not in the vocabulary");
    }

    int maxLength() {
        return maxLength;
    }

    /** Exactly {@link #maxLength()} ids: bos, tokens (truncated), eos, then padding. */
    long[] encode(String text) {
        long[] raw = tokenizer.encode(text).getIds();
        int start = raw.length > 0 && raw[0] == bos ? 1 : 0;
        int end = raw.length > start && raw[raw.length - 1] == eos ? raw.length - 1 : raw.length;
        int body = Math.min(end - start, maxLength - 2);
        long[] ids = new long[maxLength];
        ids[0] = bos;
        System.arraycopy(raw, start, ids, 1, body);
        ids[body + 1] = eos;
        for (int i = body + 2; i < maxLength; i++) {
            ids[i] = pad;
        }
        return ids;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
