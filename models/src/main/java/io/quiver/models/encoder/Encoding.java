package io.quiver.models.encoder;

/**
 * One tokenised input, ready for the graph.
 *
 * @param truncated true when tokens past the model's maximum length were dropped on request
 */
public record Encoding(long[] ids, long[] typeIds, boolean truncated) {
    public int length() {
        return ids.length;
    }
}
