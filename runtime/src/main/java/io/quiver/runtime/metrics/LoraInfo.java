package io.quiver.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quiver.models.chat.LoraState;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One model's {@code quiver_lora_info}: the inference gateway's LoRA info gauge, whose labels carry the state and
 * whose value is the epoch second that state became current (the gateway reads the series with the largest value
 * as the latest). Label values change, so a change of state replaces the series rather than adding one.
 */
final class LoraInfo {
    static final String NAME = "quiver.lora.info";

    private final MeterRegistry registry;
    private final String model;
    private final Supplier<LoraState> state;
    private final LongSupplier epochSeconds;
    private LoraState shown;
    private Gauge gauge;

    LoraInfo(MeterRegistry registry, String model, Supplier<LoraState> state, LongSupplier epochSeconds) {
        this.registry = registry;
        this.model = model;
        this.state = state;
        this.epochSeconds = epochSeconds;
        refresh();
    }

    /** Reads the engine's state again; a state unlike the one shown replaces the series. */
    synchronized void refresh() {
        LoraState now = state.get();
        if (now.equals(shown)) {
            return;
        }
        if (gauge != null) {
            registry.remove(gauge);
        }
        double since = epochSeconds.getAsLong();
        gauge = Gauge.builder(NAME, () -> since)
                .description("LoRA adapters (labels: adapters one batch holds, adapters of running and of waiting "
                        + "sequences); the value is the epoch second this state began")
                .tags(Tags.of("model", model, "max_lora", Integer.toString(now.maxAdapters()),
                        "running_lora_adapters", String.join(",", now.running()),
                        "waiting_lora_adapters", String.join(",", now.waiting())))
                .register(registry);
        shown = now;
    }
}
