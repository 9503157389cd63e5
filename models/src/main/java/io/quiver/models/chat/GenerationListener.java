package io.quiver.models.chat;

import java.util.List;

/**
 * Receives a completion as it is generated. Every callback runs on the engine's scheduler thread, which also runs
 * the model for every other sequence in the batch: implementations must be quick and must never block (hand the
 * data to a queue, an emitter or a virtual thread). Exceptions thrown here end only this sequence.
 * After {@link #onComplete} or {@link #onError} nothing more arrives.
 */
public interface GenerationListener {
    /**
     * The prompt's tokens scored, when the request asked ({@link GenerationRequest#promptLogprobs}): one entry per
     * prompt token after the first (the first has nothing before it). Arrives once, before any delta.
     */
    default void onPromptScored(List<TokenLogprob> logprobs) {
    }

    void onDelta(Delta delta);

    void onComplete(FinishReason reason, Usage usage);

    void onError(Throwable error);
}
