package io.quiver.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

/** The per-model meters a text generation feeds, as vLLM and TGI users know them. */
public record GenerationMeters(Timer timeToFirstToken, Timer interTokenLatency, Counter promptTokens,
                               Counter generationTokens, Counter slowReaders, Counter stalledReaders) {

    static GenerationMeters of(QuiverMetrics metrics, String model) {
        Tags tags = Tags.of("model", model);
        String aborted = "Streams aborted because their client did not keep up: buffer_full (quiver.stream.buffer "
                + "deltas waited unread), stalled (a write blocked past quiver.stream.stall-timeout)";
        return new GenerationMeters(
                metrics.latency("quiver.time.to.first.token", "Request arrival to the first generated token", tags),
                metrics.latency("quiver.inter.token.latency", "Time between successive generated tokens", tags),
                metrics.counter("quiver.prompt.tokens", "Prompt tokens processed", tags),
                metrics.counter("quiver.generation.tokens", "Completion tokens generated", tags),
                metrics.counter("quiver.streams.aborted", aborted, tags.and("reason", "buffer_full")),
                metrics.counter("quiver.streams.aborted", aborted, tags.and("reason", "stalled")));
    }
}
