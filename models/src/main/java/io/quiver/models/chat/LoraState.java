package io.quiver.models.chat;

import java.util.List;

/**
 * An engine's LoRA adapters as a router reads them (the inference gateway's {@code max_lora},
 * {@code running_lora_adapters}, {@code waiting_lora_adapters}): how many adapters one batch can hold, and the
 * adapters of the sequences running and of those waiting; {@link #NONE} for an engine that cannot serve adapters.
 *
 * @param maxAdapters adapters one batch can hold at once
 * @param running     adapters of running sequences, each named once
 * @param waiting     adapters of waiting sequences, each named once
 */
public record LoraState(int maxAdapters, List<String> running, List<String> waiting) {
    public static final LoraState NONE = new LoraState(0, List.of(), List.of());

    public LoraState {
        if (maxAdapters < 0) {
            throw new IllegalArgumentException("maxAdapters must not be negative, was " + maxAdapters);
        }
        running = List.copyOf(running);
        waiting = List.copyOf(waiting);
    }
}
