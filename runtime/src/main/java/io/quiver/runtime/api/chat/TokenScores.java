package io.quiver.runtime.api.chat;

import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a request asked to see of its tokens (log probabilities, the echoed prompt) and how they read on the wire:
 * a token's text is its bytes as UTF-8 (a token ending inside a character shows a replacement character, its
 * {@code bytes} stay exact); log probabilities below -9999 (-infinity included) read -9999, as vLLM writes them.
 * Holds each choice's running text offset, so one instance serves one request, on one thread.
 */
final class TokenScores {
    private static final double FLOOR = -9999.0;
    private final ChatEngine engine;
    private final boolean logprobs;
    private final List<Prompt> prompts;
    private final int[] offsets;

    /** {@code logprobs}: the request asked for them; {@code prompts}: its prompts, one per choice. */
    TokenScores(ChatEngine engine, boolean logprobs, List<Prompt> prompts) {
        this.engine = engine;
        this.logprobs = logprobs;
        this.prompts = prompts;
        this.offsets = new int[prompts.size()];
    }

    /** No log probabilities, nothing echoed. */
    static TokenScores none(int choices) {
        List<Prompt> prompts = new ArrayList<>();
        for (int i = 0; i < choices; i++) {
            prompts.add(new Prompt(new int[0], false, false));
        }
        return new TokenScores(null, false, prompts);
    }

    boolean logprobs() {
        return logprobs;
    }

    /** The prompt text choice {@code index} echoes before its completion, or null. */
    String echo(int index) {
        return prompts.get(index).echo();
    }

    String text(int id) {
        return new String(engine.tokenBytes(id), StandardCharsets.UTF_8);
    }

    private List<Integer> bytes(int id) {
        byte[] raw = engine.tokenBytes(id);
        List<Integer> out = new ArrayList<>(raw.length);
        for (byte b : raw) {
            out.add(b & 0xff);
        }
        return out;
    }

    private static double floor(float logprob) {
        return Math.max(FLOOR, logprob);
    }

    /** Chat's {@code logprobs.content} for these tokens. */
    ChatProtocol.Logprobs chat(List<TokenLogprob> tokens) {
        List<ChatProtocol.ContentLogprob> content = new ArrayList<>(tokens.size());
        for (TokenLogprob t : tokens) {
            List<ChatProtocol.TopLogprob> top = new ArrayList<>(t.topIds().length);
            for (int k = 0; k < t.topIds().length; k++) {
                int id = t.topIds()[k];
                top.add(new ChatProtocol.TopLogprob(text(id), floor(t.topLogprobs()[k]), bytes(id)));
            }
            content.add(new ChatProtocol.ContentLogprob(text(t.token()), floor(t.logprob()), bytes(t.token()), top));
        }
        return new ChatProtocol.Logprobs(content);
    }

    /**
     * The legacy API's parallel lists for choice {@code index}: the scored prompt first when there is one (its
     * first token with null scores), then the completion's tokens. Offsets run on from the choice's last call.
     */
    CompletionProtocol.Logprobs text(int index, List<TokenLogprob> prompt, List<TokenLogprob> completion) {
        List<String> tokens = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> textOffset = new ArrayList<>();
        if (prompt != null) {
            int[] ids = prompts.get(index).ids();
            if (ids.length > 0) {
                add(index, text(ids[0]), null, null, tokens, scores, tops, textOffset);
            }
            prompt.forEach(t -> add(index, text(t.token()), floor(t.logprob()), top(t), tokens, scores, tops,
                    textOffset));
        }
        completion.forEach(t -> add(index, text(t.token()), floor(t.logprob()), top(t), tokens, scores, tops,
                textOffset));
        return new CompletionProtocol.Logprobs(tokens, scores, tops, textOffset);
    }

    private void add(int index, String token, Double score, Map<String, Double> top, List<String> tokens,
                     List<Double> scores, List<Map<String, Double>> tops, List<Integer> textOffset) {
        tokens.add(token);
        scores.add(score);
        tops.add(top);
        textOffset.add(offsets[index]);
        offsets[index] += token.length();
    }

    /** The alternatives by text, most likely first, the chosen token among them (as vLLM and OpenAI give it). */
    private Map<String, Double> top(TokenLogprob t) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int k = 0; k < t.topIds().length; k++) {
            out.putIfAbsent(text(t.topIds()[k]), floor(t.topLogprobs()[k]));
        }
        out.putIfAbsent(text(t.token()), floor(t.logprob()));
        return out;
    }
}
