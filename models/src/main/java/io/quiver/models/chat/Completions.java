package io.quiver.models.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The choices of one request added up as their events arrive: reasoning and content text, token ids, scored
 * tokens, the prompt's scores, how each ended, and the usage over all of them. The one place every answer reads
 * from: the JSON body, a stream's bookkeeping, CloudEvents replies and {@link ChatEngine#generate}. One thread adds
 * to it (the engine's listener, or the request's thread draining its events); what it holds is bounded by the
 * choices' context.
 */
public final class Completions {
    /**
     * One finished (or, while open, unfinished) choice.
     *
     * @param logprobs        the completion's scored tokens (empty when not asked for)
     * @param prompt          the prompt's scored tokens after the first (echo with logprobs), or null
     * @param reasoningTokens the tokens spent reasoning: those before the answer's first text, when the choice
     *                        reasoned at all (0 otherwise)
     */
    public record Choice(int index, String reasoning, String content, int[] tokenIds, FinishReason reason,
                         List<TokenLogprob> logprobs, List<TokenLogprob> prompt, int reasoningTokens) {
    }

    private final StringBuilder[] reasoning;
    private final StringBuilder[] content;
    private final int[][] ids;
    private final int[] counts;
    /** Tokens of each choice before its answer's first text (its tags and held-back bytes included). */
    private final int[] beforeAnswer;
    private final List<List<TokenLogprob>> logprobs = new ArrayList<>();
    private final List<List<TokenLogprob>> prompts = new ArrayList<>();
    private final FinishReason[] reasons;
    private int open;
    private int promptTokens;
    private int completionTokens;

    public Completions(int choices) {
        reasoning = new StringBuilder[choices];
        content = new StringBuilder[choices];
        ids = new int[choices][];
        counts = new int[choices];
        beforeAnswer = new int[choices];
        reasons = new FinishReason[choices];
        for (int i = 0; i < choices; i++) {
            reasoning[i] = new StringBuilder();
            content[i] = new StringBuilder();
            ids[i] = new int[16];
            logprobs.add(new ArrayList<>());
            prompts.add(null);
        }
        open = choices;
    }

    public int size() {
        return reasons.length;
    }

    /** Choices not ended yet. */
    public int open() {
        return open;
    }

    public boolean ended(int index) {
        return reasons[index] != null;
    }

    /** The prompt of choice {@code index} was scored (echo with logprobs). */
    public void scored(int index, List<TokenLogprob> prompt) {
        prompts.set(index, prompt);
    }

    public void add(int index, Delta delta) {
        if (content[index].isEmpty() && delta.content().isEmpty()) {
            beforeAnswer[index] += delta.tokens();
        }
        reasoning[index].append(delta.reasoning());
        content[index].append(delta.content());
        for (int id : delta.tokenIds()) {
            if (counts[index] == ids[index].length) {
                ids[index] = Arrays.copyOf(ids[index], counts[index] * 2);
            }
            ids[index][counts[index]++] = id;
        }
        logprobs.get(index).addAll(delta.logprobs());
    }

    /** Choice {@code index} ended; its usage counts in {@link #usage}. */
    public void end(int index, FinishReason reason, Usage usage) {
        if (reasons[index] == null) {
            open--;
        }
        reasons[index] = reason;
        promptTokens += usage.promptTokens();
        completionTokens += usage.completionTokens();
    }

    /** Tokens over every ended choice (n choices of one prompt count its tokens once). */
    public Usage usage() {
        return new Usage(promptTokens, completionTokens);
    }

    public Choice choice(int index) {
        return new Choice(index, reasoning[index].toString(), content[index].toString(),
                Arrays.copyOf(ids[index], counts[index]), reasons[index], logprobs.get(index), prompts.get(index),
                reasoning[index].isEmpty() ? 0 : beforeAnswer[index]);
    }

    public List<Choice> choices() {
        List<Choice> out = new ArrayList<>(size());
        for (int i = 0; i < size(); i++) {
            out.add(choice(i));
        }
        return out;
    }
}
