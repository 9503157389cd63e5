package io.quiver.models.chat;

/**
 * A token's log probability under the model, with the most likely alternatives at the same position: the
 * log-softmax of the raw logits, before penalties, temperature or any mask (vLLM's raw logprobs).
 *
 * @param token       the token chosen (sampled, or the prompt's next token)
 * @param logprob     its log probability
 * @param topIds      the most likely tokens, most likely first (empty when none were asked for)
 * @param topLogprobs their log probabilities
 */
public record TokenLogprob(int token, float logprob, int[] topIds, float[] topLogprobs) {

    /** Scores {@code token} and the {@code top} most likely tokens in {@code logits[offset, offset + vocab)}. */
    static TokenLogprob score(float[] logits, int offset, int vocab, int token, int top) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        double logZ = max + Math.log(sum);
        int k = Math.min(top, vocab);
        int[] ids = topIds(logits, offset, vocab, k);
        float[] lps = new float[k];
        for (int i = 0; i < k; i++) {
            lps[i] = (float) (logits[offset + ids[i]] - logZ);
        }
        return new TokenLogprob(token, (float) (logits[offset + token] - logZ), ids, lps);
    }

    /** The {@code k} largest entries' ids, largest first (ties: the lower id first), by insertion into a short list. */
    private static int[] topIds(float[] logits, int offset, int vocab, int k) {
        int[] ids = new int[k];
        int size = 0;
        for (int i = 0; i < vocab && k > 0; i++) {
            float v = logits[offset + i];
            if (size == k && v <= logits[offset + ids[k - 1]]) {
                continue;
            }
            int at = Math.min(size, k - 1);
            while (at > 0 && logits[offset + ids[at - 1]] < v) {
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = i;
            size = Math.min(size + 1, k);
        }
        return ids;
    }
}
