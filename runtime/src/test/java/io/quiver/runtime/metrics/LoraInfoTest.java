package io.quiver.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quiver.models.chat.LoraState;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The LoRA info gauge shows one series per model: the current state in its labels, since when in its value. */
class LoraInfoTest {
    @Test
    void aNewStateReplacesTheSeriesAndCarriesTheTimeItBegan() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AtomicReference<LoraState> state = new AtomicReference<>(LoraState.NONE);
        AtomicLong clock = new AtomicLong(1_000);
        LoraInfo info = new LoraInfo(registry, "chat", state::get, clock::get);
        assertEquals("max_lora=0 running= waiting= at 1000", shown(registry));

        clock.set(2_000);
        info.refresh();
        assertEquals("max_lora=0 running= waiting= at 1000", shown(registry), "an unchanged state keeps its time");

        state.set(new LoraState(4, List.of("sql", "poems"), List.of("legal")));
        info.refresh();
        assertEquals("max_lora=4 running=sql,poems waiting=legal at 2000", shown(registry));
    }

    private static String shown(SimpleMeterRegistry registry) {
        List<Gauge> series = registry.find("quiver.lora.info").tag("model", "chat").gauges().stream().toList();
        assertEquals(1, series.size(), "one series per model: " + series);
        Gauge g = series.getFirst();
        return "max_lora=" + g.getId().getTag("max_lora") + " running=" + g.getId().getTag("running_lora_adapters")
                + " waiting=" + g.getId().getTag("waiting_lora_adapters") + " at " + (long) g.value();
    }
}
