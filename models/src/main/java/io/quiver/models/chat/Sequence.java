package io.quiver.models.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Set;

/**
 * One completion inside the scheduler: its tokens, sampler, and the text pipeline (incremental detokeniser →
 * stop strings → reasoning split) that turns each token into a {@link Delta}. Touched only by the scheduler thread,
 * except {@link #cancel()}.
 */
final class Sequence implements Generation {
    /** Where a sequence is in the engine. */
    enum State {
        /** Submitted, waiting for slots. */
        QUEUED,
        /** Its prompt is being written into its slot (a follower waits for its lead's). */
        PREFILLING,
        /** Decoding a token per step. */
        RUNNING,
        /** Ended (its reason decided): its slot is released at the next step. */
        FINISHED
    }

    final int[] prompt;
    private final GenerationListener listener;
    private final Sampler sampler;
    private final IncrementalDecoder decoder;
    private final StopMatcher stops;
    private final ReasoningSplitter splitter;
    private final Set<Integer> eos;
    private final boolean ignoreEos;
    /** Alternatives scored per completion token (-1: no scoring); and per prompt token. */
    private final int logprobs;
    private final int promptLogprobs;
    private final boolean promptOnly;
    /** The structured-output constraint and its state, or null. */
    private final TokenGrammar grammar;
    private int grammarState;
    private int maxTokens;
    private int[] generated = new int[16];
    private int count;
    /**
     * The other completions of the same prompt ({@code n > 1}): they queue and prefill with this one, which alone
     * sits in the queue, and then run as rows of their own.
     */
    final List<Sequence> followers = new ArrayList<>();
    /** A follower's prompt was prefilled for its leader: its usage counts no prompt tokens, so a sum counts it once. */
    boolean follower;
    State state = State.QUEUED;
    /** The slot it holds while prefilling or running; null otherwise. */
    SlotTable.Slot slot;
    /** {@link System#nanoTime} when it was queued for a batch row. */
    long queuedAt;
    /** The LoRA adapter it runs with (null: the base model), held from submission to its end. */
    private LoraAdapters adapters;
    LoraAdapters.Adapter adapter;
    /** It took a slot (for the adapter's running and waiting counts). */
    private boolean admitted;
    /** The prompt's scored tokens so far (prompt logprobs are scored chunk by chunk). */
    private List<TokenLogprob> scoredPrompt;
    private volatile boolean cancelled;
    private volatile boolean done;
    private FinishReason ended;

    Sequence(GenerationRequest request, SamplingParams resolved, int maxTokens, ChatTokenizer tokenizer,
             Set<Integer> eos, boolean reasoningSplit, GenerationListener listener) {
        this.prompt = request.promptIds().clone();
        this.listener = listener;
        this.sampler = new Sampler(resolved, prompt);
        this.decoder = new IncrementalDecoder(tokenizer);
        this.stops = new StopMatcher(request.stop());
        this.splitter = new ReasoningSplitter(reasoningSplit, request.reasoningPrefilled());
        this.eos = eos;
        this.ignoreEos = request.ignoreEos();
        this.logprobs = request.logprobs();
        this.promptLogprobs = request.promptLogprobs();
        this.promptOnly = request.promptOnly();
        this.grammar = request.grammar();
        this.grammarState = grammar == null ? -1 : grammar.initial();
        this.maxTokens = maxTokens;
    }

    /** Runs with an adapter acquired from {@code registry}, which it gives back when it ends. */
    void useAdapter(LoraAdapters registry, LoraAdapters.Adapter acquired) {
        this.adapters = registry;
        this.adapter = acquired;
    }

    /** The adapter's id, 0 for the base model. */
    long adapterId() {
        return adapter == null ? 0 : adapter.id;
    }

    /** It took a slot. */
    void admitted() {
        if (!admitted && adapter != null) {
            adapters.admitted(adapter);
        }
        admitted = true;
    }

    private void releaseAdapter() {
        if (adapter != null) {
            adapters.release(adapter, admitted);
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Whether it needs no more steps: finished, failed or cancelled. */
    boolean ended() {
        return done || cancelled || state == State.FINISHED;
    }

    /** This sequence and its followers, in choice order. */
    List<Sequence> group() {
        if (followers.isEmpty()) {
            return List.of(this);
        }
        List<Sequence> all = new ArrayList<>(1 + followers.size());
        all.add(this);
        all.addAll(followers);
        return all;
    }

    /** Lowers the completion's token limit to {@code tokens} (the room its context leaves), never raises it. */
    void limitTokens(int tokens) {
        maxTokens = Math.min(maxTokens, tokens);
    }

    /** The token the next decode step feeds (the last one sampled, not yet in the cache). */
    int lastToken() {
        return generated[count - 1];
    }

    int generatedCount() {
        return count;
    }

    int[] generated() {
        return Arrays.copyOf(generated, count);
    }

    /** Whether the prefill must keep every position's logits (to score the prompt). */
    boolean scoresPrompt() {
        return promptLogprobs >= 0;
    }

    /** Whether the prefill is all there is: the prompt is scored and nothing generated. */
    boolean promptOnly() {
        return promptOnly;
    }

    /**
     * Scores prompt positions [from, to) from a chunk's logits of every position ({@code [(to - from) × vocab]}):
     * position i's distribution over prompt token i + 1. Chunk by chunk, so the logits held stay one chunk's.
     */
    void scorePrompt(float[] logits, int from, int to, int vocab) {
        if (scoredPrompt == null) {
            scoredPrompt = new ArrayList<>(Math.max(0, prompt.length - 1));
        }
        for (int i = from; i < to && i + 1 < prompt.length; i++) {
            scoredPrompt.add(TokenLogprob.score(logits, (i - from) * vocab, vocab, prompt[i + 1], promptLogprobs));
        }
    }

    /** The prompt's scores, once every chunk is in. */
    List<TokenLogprob> scoredPrompt() {
        return scoredPrompt == null ? List.of() : scoredPrompt;
    }

    /** Hands the scored prompt to the listener. */
    void promptScored(List<TokenLogprob> scored) {
        if (done) {
            return;
        }
        try {
            listener.onPromptScored(scored);
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    /**
     * Samples from this row's logits, streams the resulting text; returns true when the sequence has finished (the
     * caller then completes it with {@link #endReason}).
     */
    boolean step(float[] logits, int offset, int vocab) {
        // Raw logprobs: scored on the logits as the model gave them, before the sampler changes the row.
        float[] raw = logprobs >= 0 ? Arrays.copyOfRange(logits, offset, offset + vocab) : null;
        int token = grammar == null ? sampler.sample(logits, offset, vocab) : constrained(logits, offset, vocab);
        List<TokenLogprob> scored = raw == null ? List.of()
                : List.of(TokenLogprob.score(raw, 0, vocab, token, logprobs));
        sampler.accept(token);
        if (count == generated.length) {
            generated = Arrays.copyOf(generated, count * 2);
        }
        generated[count++] = token;

        boolean endOfSequence = !ignoreEos && eos.contains(token);
        String text = stops.accept(endOfSequence ? "" : decoder.add(token));
        FinishReason reason = stops.stopped() || endOfSequence ? FinishReason.STOP
                : count >= maxTokens ? FinishReason.LENGTH : null;
        ReasoningSplitter.Split split = splitter.accept(text);
        if (reason != null) {
            if (!stops.stopped()) {
                String tail = stops.accept(decoder.flush());
                if (stops.stopped()) {
                    reason = FinishReason.STOP;
                }
                split = merge(split, splitter.accept(tail + stops.flush()));
            }
            split = merge(split, splitter.flush());
        }
        emit(new Delta(split.reasoning(), split.content(), 1, new int[] {token}, scored));
        if (reason != null) {
            // The scheduler completes it once its row is released, so that a listener woken by the end never
            // sees the sequence still counted as running.
            finish(reason);
            return true;
        }
        return done;
    }

    /** Decides how it ends; the scheduler reports it when the slot is released. */
    void finish(FinishReason reason) {
        if (ended == null) {
            ended = reason;
        }
        state = State.FINISHED;
    }

    /** Why {@link #step} ended the sequence (CANCELLED when it did not). */
    FinishReason endReason() {
        return ended != null ? ended : FinishReason.CANCELLED;
    }

    /**
     * Samples among the tokens the grammar allows in its current state (the others' logits set to -infinity), and
     * moves the grammar on by the chosen token.
     */
    private int constrained(float[] logits, int offset, int vocab) {
        BitSet allowed = grammar.allowed(grammarState);
        mask(logits, offset, vocab, allowed);
        int best = Sampler.argmax(logits, offset, vocab);
        int token = sampler.sample(logits, offset, vocab);
        if (!allowed.get(token)) {
            // Rounding in the sampler's filters can land on a zero-probability token: take the best allowed one.
            token = best;
        }
        if (!eos.contains(token)) {
            grammarState = grammar.next(grammarState, token);
        }
        return token;
    }

    /** Sets every token outside {@code allowed} to -infinity in the row. */
    static void mask(float[] logits, int offset, int vocab, BitSet allowed) {
        int from = 0;
        for (int id = allowed.nextSetBit(0); from < vocab; id = allowed.nextSetBit(id + 1)) {
            int to = id < 0 ? vocab : Math.min(id, vocab);
            Arrays.fill(logits, offset + from, offset + to, Float.NEGATIVE_INFINITY);
            from = to + 1;
            if (id < 0) {
                break;
            }
        }
    }

    private static ReasoningSplitter.Split merge(ReasoningSplitter.Split a, ReasoningSplitter.Split b) {
        return new ReasoningSplitter.Split(a.reasoning() + b.reasoning(), a.content() + b.content());
    }

    private void emit(Delta delta) {
        if (done) {
            return;
        }
        try {
            listener.onDelta(delta);
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    void complete(FinishReason reason) {
        state = State.FINISHED;
        if (done) {
            return;
        }
        done = true;
        releaseAdapter();
        try {
            listener.onComplete(reason, new Usage(follower ? 0 : prompt.length, count));
        } catch (RuntimeException ignored) {
            // the listener's own failure; nothing more is owed to it
        }
    }

    void fail(Throwable error) {
        state = State.FINISHED;
        if (done) {
            return;
        }
        done = true;
        releaseAdapter();
        try {
            listener.onError(error);
        } catch (RuntimeException ignored) {
            // nothing more is owed to it
        }
    }
}
