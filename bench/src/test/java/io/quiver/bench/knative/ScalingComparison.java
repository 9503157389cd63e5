package io.quiver.bench.knative;

import io.quiver.bench.kpa.KpaSettings;
import io.quiver.bench.kpa.TracePrediction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Knative's autoscaler beside the simulator's over one load. Knative's side: every tick's observed stable and
 * panic concurrency and ready pods from its log, and the decider count those give (replayed through the
 * simulator's decider, which is checked tick by tick against Knative's own code in KnativeDeciderTest, and checked
 * here against every count the KPA reconciler logged). The simulator's side: the same decider fed the load the
 * client measured, second by second, with the same ready pods. A tick agrees when the simulator's count equals
 * Knative's at that tick or at the one before or after it: Knative's collector buckets a scrape a second late, and
 * its ticks fall at other instants than the client's seconds.
 */
final class ScalingComparison {
    record Row(Instant at, double offered, double knativeStable, double simulatedStable, double knativePanic,
               double simulatedPanic, int ready, int knative, int simulated, boolean agrees) {
    }

    final List<Row> rows = new ArrayList<>();
    /** Ticks where a count the reconciler logged differs from the replayed one (should be none). */
    final List<String> replayMismatches = new ArrayList<>();

    ScalingComparison(KpaSettings settings, AutoscalerLog log, RevisionTraffic traffic, Instant from, Instant to) {
        List<AutoscalerLog.Tick> ticks = log.ticks().stream()
                .filter(t -> !t.at().isBefore(from) && !t.at().isAfter(to)).toList();
        int n = ticks.size();
        double[] times = new double[n];
        double[] stable = new double[n];
        double[] panic = new double[n];
        int[] ready = new int[n];
        for (int i = 0; i < n; i++) {
            times[i] = ticks.get(i).epochSeconds();
            stable[i] = ticks.get(i).stable();
            panic[i] = ticks.get(i).panic();
            ready[i] = ticks.get(i).ready();
        }
        List<TracePrediction.Tick> knative = TracePrediction.decide(settings, times, stable, panic, ready);
        long first = from.getEpochSecond();
        double[] offered = traffic.concurrency(first, to.getEpochSecond() + 1);
        List<TracePrediction.Tick> simulated = TracePrediction.replay(settings, first, offered, times, ready);
        for (int i = 0; i < n; i++) {
            int sim = simulated.get(i).deciderPods();
            boolean agrees = false;
            for (int j = Math.max(0, i - 1); j <= Math.min(n - 1, i + 1); j++) {
                agrees |= knative.get(j).deciderPods() == sim;
            }
            int second = (int) (ticks.get(i).at().getEpochSecond() - first);
            rows.add(new Row(ticks.get(i).at(), second > 0 && second <= offered.length ? offered[second - 1] : 0,
                    stable[i], simulated.get(i).stable(), panic[i], simulated.get(i).panic(), ready[i],
                    knative.get(i).deciderPods(), sim, agrees));
        }
        // every count the reconciler logged after a tick is the replay's count at that tick
        for (AutoscalerLog.Decision d : log.decisions()) {
            int tick = -1;
            for (int i = 0; i < n && !ticks.get(i).at().isAfter(d.at()); i++) {
                tick = i;
            }
            if (tick > 0 && d.at().isBefore(ticks.get(tick).at().plusSeconds(1))
                    && knative.get(tick).deciderPods() != d.desiredPods()) {
                replayMismatches.add(d.at() + ": logged " + d.desiredPods() + ", replayed "
                        + knative.get(tick).deciderPods());
            }
        }
    }

    long agreeing() {
        return rows.stream().filter(Row::agrees).count();
    }

    int maxKnative() {
        return rows.stream().mapToInt(Row::knative).max().orElse(0);
    }

    int maxSimulated() {
        return rows.stream().mapToInt(Row::simulated).max().orElse(0);
    }

    /** The ticks as a table (times relative to {@code from}). */
    String table(Instant from) {
        StringBuilder out = new StringBuilder(
                "   t s | offered | stable K / sim | panic K / sim | ready | desired K | desired sim\n");
        for (Row r : rows) {
            out.append(String.format("%7.1f | %7.2f | %6.2f / %5.2f | %6.2f / %5.2f | %5d | %9d | %11d%s%n",
                    (r.at().toEpochMilli() - from.toEpochMilli()) / 1e3, r.offered(), r.knativeStable(),
                    r.simulatedStable(), r.knativePanic(), r.simulatedPanic(), r.ready(), r.knative(), r.simulated(),
                    r.agrees() ? "" : "  <- differs"));
        }
        return out.toString();
    }
}
