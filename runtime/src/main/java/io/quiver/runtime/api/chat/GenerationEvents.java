package io.quiver.runtime.api.chat;

import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.GenerationListener;
import io.quiver.models.chat.TokenLogprob;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.metrics.GenerationMeters;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Carries the completions of one request from the engine's scheduler thread to the request's own thread, which
 * does all formatting and writing: the scheduler only enqueues (it must never block), into a bounded queue when the
 * reader is a client that may fall behind. Records time to first token and inter-token latency as tokens arrive.
 */
final class GenerationEvents {
    sealed interface Event permits Scored, Text, Done, Failed {
        int index();
    }

    /** The prompt's tokens scored (echo with logprobs); comes before any text. */
    record Scored(int index, List<TokenLogprob> prompt) implements Event {
    }

    record Text(int index, Delta delta) implements Event {
    }

    record Done(int index, FinishReason reason, Usage usage) implements Event {
    }

    record Failed(int index, Throwable error) implements Event {
    }

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final GenerationMeters meters;
    private final long start;
    private final int capacity;
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private volatile Runnable overflow = () -> { };

    /** Events for a reader that takes them as they come (no bound needed). */
    GenerationEvents(GenerationMeters meters, long requestStartNanos) {
        this(meters, requestStartNanos, Integer.MAX_VALUE);
    }

    /**
     * Events for a reader that may fall behind (a stream's client): once {@code capacity} deltas wait unread,
     * the {@link #onOverflow} action runs and further deltas are dropped. Endings always get through.
     */
    GenerationEvents(GenerationMeters meters, long requestStartNanos, int capacity) {
        this.meters = meters;
        this.start = requestStartNanos;
        this.capacity = capacity;
    }

    /** What to do, once, when the reader falls {@code capacity} deltas behind (on the engine's thread: be quick). */
    void onOverflow(Runnable action) {
        overflow = action;
    }

    /** The listener for the completion of choice {@code index}. */
    GenerationListener listener(int index) {
        return new GenerationListener() {
            private long last;

            @Override
            public void onPromptScored(List<TokenLogprob> logprobs) {
                queue.add(new Scored(index, logprobs));
            }

            @Override
            public void onDelta(Delta delta) {
                if (delta.tokens() > 0) {
                    long now = System.nanoTime();
                    if (last == 0) {
                        meters.timeToFirstToken().record(now - start, TimeUnit.NANOSECONDS);
                    } else {
                        long each = (now - last) / delta.tokens();
                        for (int i = 0; i < delta.tokens(); i++) {
                            meters.interTokenLatency().record(each, TimeUnit.NANOSECONDS);
                        }
                    }
                    last = now;
                }
                if (queue.size() >= capacity) {
                    if (overflowed.compareAndSet(false, true)) {
                        overflow.run();
                    }
                    return;
                }
                queue.add(new Text(index, delta));
            }

            @Override
            public void onComplete(FinishReason reason, Usage usage) {
                meters.promptTokens().increment(usage.promptTokens());
                meters.generationTokens().increment(usage.completionTokens());
                queue.add(new Done(index, reason, usage));
            }

            @Override
            public void onError(Throwable error) {
                queue.add(new Failed(index, error));
            }
        };
    }

    /** Adds a scored prompt, a delta or an end to the request's completions (a failure is the caller's to answer). */
    void addTo(Completions completions, Event event) {
        switch (event) {
            case Scored p -> completions.scored(p.index(), p.prompt());
            case Text t -> completions.add(t.index(), t.delta());
            case Done d -> completions.end(d.index(), d.reason(), d.usage());
            case Failed f -> throw new IllegalArgumentException("a failure is not added up", f.error());
        }
    }

    /** The next event, or null when none came within {@code nanos} (none left to wait: only what is there). */
    Event poll(long nanos) throws InterruptedException {
        return nanos <= 0 ? queue.poll() : queue.poll(nanos, TimeUnit.NANOSECONDS);
    }
}
