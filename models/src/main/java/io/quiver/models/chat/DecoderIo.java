package io.quiver.models.chat;

/**
 * What a decoder graph's inputs and outputs are called: the layouts differ in names only (Optimum's fixed ones,
 * onnxruntime-genai's from genai_config.json), so {@link DecoderSession} takes them from here.
 *
 * @param positionIds      fed only when the graph declares it
 * @param pastKey          per-layer name template ({@code %d} is the layer), likewise the other three
 * @param seqlensK         GroupQueryAttention's per-row {@code total - 1} (int32 [batch]); fed only when declared
 * @param totalSequenceLength GroupQueryAttention's total length (int32 scalar); fed only when declared
 */
record DecoderIo(String inputIds, String attentionMask, String positionIds, String pastKey, String pastValue,
                 String logits, String presentKey, String presentValue, String seqlensK,
                 String totalSequenceLength) {
    /** Optimum's and transformers.js' decoder I/O. */
    static final DecoderIo OPTIMUM = new DecoderIo("input_ids", "attention_mask", "position_ids",
            "past_key_values.%d.key", "past_key_values.%d.value", "logits", "present.%d.key", "present.%d.value",
            "seqlens_k", "total_sequence_length");

    static String layer(String template, int layer) {
        return template.replace("%d", Integer.toString(layer));
    }
}
