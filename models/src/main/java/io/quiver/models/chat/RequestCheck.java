package io.quiver.models.chat;

import io.quiver.models.InvalidRequestException;
import io.quiver.models.TokenBudget;
import java.util.function.Predicate;

/**
 * What a chat engine refuses in a request, decided before the request asks for a slot: the routes call it while
 * validating, and the engine calls it again, as an assertion, when the request is submitted.
 *
 * @param contextLength tokens per sequence: prompt plus completion
 * @param maxBatch      batch rows, the most completions one prompt may ask for
 * @param vocabSize     token ids run from 0 below this
 * @param loaded        whether a LoRA adapter of that name is loaded
 * @param scoresPrompts whether the graph gives every position's logits (not a model-builder export made with
 *                      {@code prune_lm_head}, which gives the last one's alone)
 */
record RequestCheck(int contextLength, int maxBatch, int vocabSize, Predicate<String> loaded,
                    boolean scoresPrompts) {

    /**
     * Refuses n outside [1, batch rows], an empty prompt, ids outside the vocabulary, prompt + max_tokens over the
     * context, an adapter that is not loaded, a prompt to score on a graph that cannot. Returns the completion's token
     * limit.
     */
    int check(GenerationRequest request, int n) {
        if (request.promptLogprobs() >= 0 && !scoresPrompts) {
            throw new InvalidRequestException("echo", "this model's graph computes only the last position's logits "
                    + "(a model-builder export with prune_lm_head), so it cannot score the prompt's tokens (echo "
                    + "with logprobs)");
        }
        if (request.adapter() != null && !loaded.test(request.adapter())) {
            throw new AdapterNotFoundException(request.adapter());
        }
        if (n < 1 || n > maxBatch) {
            throw new InvalidRequestException("n", "n must be between 1 and " + maxBatch
                    + " (the batch rows one prompt's completions share), was " + n);
        }
        int[] ids = request.promptIds();
        if (ids.length == 0) {
            throw new InvalidRequestException("messages", "the prompt is empty");
        }
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new InvalidRequestException("prompt", "token id " + id + " is outside the vocabulary [0, "
                        + vocabSize + ")");
            }
        }
        int maxTokens = request.maxTokens();
        if (maxTokens > 0 && (long) ids.length + maxTokens > contextLength) {
            throw new InvalidRequestException("max_tokens", ids.length + " prompt tokens + " + maxTokens
                    + " max_tokens > context length " + contextLength);
        }
        room(ids.length, "messages");
        return maxTokens > 0 ? maxTokens : contextLength - ids.length;
    }

    /**
     * Token ids of a prompt text, tokenising at most what the context can hold: a prompt that leaves no room for a
     * completion is refused after reading only a bounded prefix of it.
     */
    int[] encodePrompt(String text, String param, ChatTokenizer tokenizer) {
        var read = TokenBudget.encode(text, contextLength - 1, tokenizer::encode, ids -> ids.length);
        int[] ids = read.encoding();
        if (!read.complete() || ids.length >= contextLength) {
            throw noRoom(param, (read.complete() ? "" : "more than ") + ids.length);
        }
        return ids;
    }

    /** Refuses a prompt of {@code tokens} that leaves no room for a completion, naming {@code param}. */
    void room(int tokens, String param) {
        if (tokens >= contextLength) {
            throw noRoom(param, Integer.toString(tokens));
        }
    }

    /** The one refusal of a prompt that fills the context ({@code tokens}: how many, or "more than" so many). */
    private InvalidRequestException noRoom(String param, String tokens) {
        return new InvalidRequestException(param, tokens + " prompt tokens leave no room for a completion in context "
                + "length " + contextLength);
    }
}
