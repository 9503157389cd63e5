package io.quiver.models.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A listener that records everything and can act after the n-th token (on the scheduler thread). */
final class Recorder implements GenerationListener {
    final List<Integer> ids = new ArrayList<>();
    final List<Delta> deltas = new ArrayList<>();
    final StringBuilder reasoning = new StringBuilder();
    final StringBuilder content = new StringBuilder();
    final CompletableFuture<FinishReason> finished = new CompletableFuture<>();
    volatile Usage usage;
    private final int triggerAt;
    private final Consumer<Recorder> trigger;
    volatile Generation generation;

    Recorder() {
        this(0, r -> { });
    }

    Recorder(int triggerAt, Consumer<Recorder> trigger) {
        this.triggerAt = triggerAt;
        this.trigger = trigger;
    }

    Recorder submitTo(ChatEngine engine, GenerationRequest request) {
        generation = engine.submit(request, this);
        return this;
    }

    @Override
    public void onDelta(Delta d) {
        deltas.add(d);
        reasoning.append(d.reasoning());
        content.append(d.content());
        for (int id : d.tokenIds()) {
            ids.add(id);
        }
        if (ids.size() == triggerAt) {
            trigger.accept(this);
        }
    }

    @Override
    public void onComplete(FinishReason reason, Usage u) {
        usage = u;
        finished.complete(reason);
    }

    @Override
    public void onError(Throwable error) {
        finished.completeExceptionally(error);
    }

    FinishReason await() throws Exception {
        return finished.get(60, TimeUnit.SECONDS);
    }

    int[] idArray() {
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }
}
