package io.quiver.bench.kpa;

import java.util.ArrayList;
import java.util.List;

/**
 * What the simulator's autoscaler decides when it is fed a measured load instead of a simulated one: the
 * per-second concurrency a client measured, recorded second by second into the stable and panic windows as
 * Knative's collector records its scrapes, and a decision ({@link KpaDecider}) at each of the given tick times with
 * the ready pods the real cluster had then. Lets a real autoscaler's decisions be set beside the simulator's over
 * the same load.
 */
public final class TracePrediction {
    /** One tick: the windows' averages and what the decider made of them. */
    public record Tick(double at, double stable, double panic, int ready, int deciderPods, int desiredPods,
                       boolean panicking) {
    }

    private TracePrediction() {
    }

    /**
     * @param firstSecond the epoch second of {@code concurrency[0]}
     * @param concurrency average requests in flight, one value per second
     * @param tickTimes the ticks' epoch times in seconds, ascending
     * @param ready pods ready at each tick
     */
    public static List<Tick> replay(KpaSettings settings, long firstSecond, double[] concurrency, double[] tickTimes,
                                    int[] ready) {
        KpaDecider decider = new KpaDecider(settings);
        ConcurrencyWindow stable = new ConcurrencyWindow(settings.stableWindowSeconds());
        ConcurrencyWindow panic = new ConcurrencyWindow(settings.panicWindowSeconds());
        List<Tick> ticks = new ArrayList<>();
        int recorded = 0;
        for (int i = 0; i < tickTimes.length; i++) {
            // the seconds complete before the tick, each once
            long upTo = (long) Math.floor(tickTimes[i]) - firstSecond;
            for (; recorded < upTo && recorded < concurrency.length; recorded++) {
                stable.record(concurrency[recorded]);
                panic.record(concurrency[recorded]);
            }
            KpaDecider.Decision d = decider.decide(tickTimes[i] - firstSecond, stable.average(), panic.average(),
                    ready[i]);
            ticks.add(new Tick(tickTimes[i], stable.average(), panic.average(), ready[i], d.deciderPods(),
                    d.desiredPods(), d.panicking()));
        }
        return ticks;
    }

    /**
     * The decider alone, fed the windows' averages and ready pods someone else observed at each tick (Knative's own,
     * from its autoscaler's log): what that decider's state machine (panic, max panic pods, delay window) makes of
     * them.
     */
    public static List<Tick> decide(KpaSettings settings, double[] tickTimes, double[] stable, double[] panic,
                                    int[] ready) {
        KpaDecider decider = new KpaDecider(settings);
        List<Tick> ticks = new ArrayList<>();
        double start = tickTimes.length > 0 ? tickTimes[0] : 0;
        for (int i = 0; i < tickTimes.length; i++) {
            KpaDecider.Decision d = decider.decide(tickTimes[i] - start, stable[i], panic[i], ready[i]);
            ticks.add(new Tick(tickTimes[i], stable[i], panic[i], ready[i], d.deciderPods(), d.desiredPods(),
                    d.panicking()));
        }
        return ticks;
    }
}
