package io.quiver.models.chat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a chat engine counts while it runs: sequences holding slots, the cache they fill, prefills and the prefix
 * cache's lookups. Written by the scheduler's thread, read from any (metrics, tests).
 */
public final class EngineStats {
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong busyTokens = new AtomicLong();
    private final AtomicLong prefills = new AtomicLong();
    private final AtomicLong prefixQueries = new AtomicLong();
    private final AtomicLong prefixHits = new AtomicLong();
    private final AtomicLong prefixQueryTokens = new AtomicLong();
    private final AtomicLong prefixHitTokens = new AtomicLong();

    void running(int delta) {
        int now = running.addAndGet(delta);
        peak.accumulateAndGet(now, Math::max);
    }

    void busyTokens(long tokens) {
        busyTokens.set(tokens);
    }

    void prefilled() {
        prefills.incrementAndGet();
    }

    /** An admission looked for a cached prefix of its {@code prompt} tokens and found {@code reused}. */
    void prefixLookup(int prompt, int reused) {
        prefixQueries.incrementAndGet();
        prefixQueryTokens.addAndGet(prompt);
        if (reused > 0) {
            prefixHits.incrementAndGet();
            prefixHitTokens.addAndGet(reused);
        }
    }

    /** Sequences holding a slot now (prefilling, waiting for their lead, or decoding). */
    public int running() {
        return running.get();
    }

    /** The most sequences that ever held slots at once. */
    public int peakRunning() {
        return peak.get();
    }

    /** KV positions held by sequences that hold slots. */
    public long busyTokens() {
        return busyTokens.get();
    }

    /** Prompts prefilled whole so far (n completions of one prompt count once). */
    public long prefills() {
        return prefills.get();
    }

    /** Admissions that looked for a cached prompt prefix, and those that found one. */
    public long prefixQueries() {
        return prefixQueries.get();
    }

    public long prefixHits() {
        return prefixHits.get();
    }

    /** Prompt tokens of those lookups, and the tokens found (not prefilled again); vLLM counts in tokens too. */
    public long prefixQueryTokens() {
        return prefixQueryTokens.get();
    }

    public long prefixHitTokens() {
        return prefixHitTokens.get();
    }
}
