package io.quiver.bench.knative;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.bench.kpa.KpaSettings;
import io.quiver.bench.kpa.TracePrediction;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Knative's autoscaler beside the simulator's over one load. Knative's side: every tick's observed stable and
 * panic concurrency and ready pods from its log, and the counts those give (replayed through the simulator's
 * decider, which is checked tick by tick against Knative's own code in KnativeDeciderTest, and checked here against
 * every count the KPA reconciler logged). The simulator's side: the same decider fed the load the client offered,
 * second by second, with the same ready pods.
 *
 * <p>The client counts a request from its send to its last byte; Knative counts it from its arrival at the
 * activator or queue-proxy to its answer, so it observes a share of what the client offered (the client's own
 * overhead and the network are outside it). That share is one number per run, measured here (Knative's stable
 * concurrency over the simulator's, summed over the compared ticks), and the simulator is fed the client's load
 * times that share: what is compared is how each turns the same load into pods, over time, not where the load
 * was measured. The requests inside the pods (Quiver's gauges) are shown beside: past the cap they wait in the
 * activator, which Knative counts.
 *
 * <p>Compared are the counts the autoscaler asks the Deployment for (within min and max scale). A tick agrees when
 * the simulator's count lies within Knative's counts at that tick and the ones before and after it
 * (KnativeDeciderTest's tolerance of a tick): Knative's collector buckets a scrape a second late, and its ticks fall
 * at other instants than the measured seconds. Ticks within the first stable window are not compared: the
 * simulator's windows start empty there, Knative's hold what came before.
 */
final class ScalingComparison {
    record Row(Instant at, double offered, double inPods, double knativeStable, double simulatedStable,
               double knativePanic, double simulatedPanic, int ready, int knativeWanted, int simulatedWanted,
               int knative, int simulated, boolean compared, int podsApart) {
        boolean agrees() {
            return podsApart == 0;
        }
    }

    final List<Row> rows = new ArrayList<>();
    /** Ticks where a count the reconciler logged differs from the replayed one (should be none). */
    final List<String> replayMismatches = new ArrayList<>();
    /** Knative's stable concurrency over the client's, summed over the compared ticks. */
    final double observedShare;

    /**
     * @param offered the client's requests in flight, one value per second from {@code from}'s second
     * @param inPods the requests inside the revision's pods, the same seconds
     */
    ScalingComparison(KpaSettings settings, AutoscalerLog log, Instant from, Instant to, double[] offered,
                      double[] inPods) {
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
        Instant warm = from.plusMillis((long) (settings.stableWindowSeconds() * 1000));
        List<TracePrediction.Tick> unscaled = TracePrediction.replay(settings, first, offered, times, ready);
        double k = 0;
        double client = 0;
        for (int i = 0; i < n; i++) {
            if (!ticks.get(i).at().isBefore(warm)) {
                k += stable[i];
                client += unscaled.get(i).stable();
            }
        }
        observedShare = client == 0 ? 1 : k / client;
        double[] seen = new double[offered.length];
        for (int i = 0; i < seen.length; i++) {
            seen[i] = offered[i] * observedShare;
        }
        List<TracePrediction.Tick> simulated = TracePrediction.replay(settings, first, seen, times, ready);
        for (int i = 0; i < n; i++) {
            int sim = simulated.get(i).desiredPods();
            int low = Integer.MAX_VALUE;
            int high = Integer.MIN_VALUE;
            for (int j = Math.max(0, i - 1); j <= Math.min(n - 1, i + 1); j++) {
                low = Math.min(low, knative.get(j).desiredPods());
                high = Math.max(high, knative.get(j).desiredPods());
            }
            int apart = sim < low ? low - sim : sim > high ? sim - high : 0;
            int second = (int) (ticks.get(i).at().getEpochSecond() - first);
            boolean inRange = second > 0 && second <= offered.length && second <= inPods.length;
            rows.add(new Row(ticks.get(i).at(), inRange ? offered[second - 1] : 0, inRange ? inPods[second - 1] : 0,
                    stable[i], simulated.get(i).stable(), panic[i], simulated.get(i).panic(), ready[i],
                    knative.get(i).deciderPods(), simulated.get(i).deciderPods(), knative.get(i).desiredPods(), sim, !ticks.get(i).at().isBefore(warm), apart));
        }
        // every count the reconciler logged after a compared tick is the replay's count at that tick (before, the
        // replay lacks the decider's state: a panic still held from earlier load)
        for (AutoscalerLog.Decision d : log.decisions()) {
            if (d.at().isBefore(warm)) {
                continue;
            }
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

    /** Knative's decisions for a revision from {@code from} to {@code to} (its autoscaler's log) beside the simulator's. */
    static ScalingComparison of(Cluster cluster, JsonNode service, String revision, Instant from, Instant to,
                                RevisionTraffic client, PodLoad pods) throws IOException, InterruptedException {
        long first = from.getEpochSecond();
        long last = to.getEpochSecond() + 1;
        return new ScalingComparison(Manifests.kpaSettings(service), AutoscalerLog.read(cluster, revision, from),
                from, to, client.concurrency(first, last), pods.concurrency(first, last));
    }

    /** The ticks compared (after the first stable window). */
    long compared() {
        return rows.stream().filter(Row::compared).count();
    }

    long agreeing() {
        return rows.stream().filter(Row::compared).filter(Row::agrees).count();
    }

    /** The most pods the simulator was outside Knative's counts of the tick and its neighbours. */
    int mostPodsApart() {
        return rows.stream().filter(Row::compared).mapToInt(Row::podsApart).max().orElse(0);
    }

    int maxKnative() {
        return rows.stream().mapToInt(Row::knative).max().orElse(0);
    }

    int maxSimulated() {
        return rows.stream().mapToInt(Row::simulated).max().orElse(0);
    }


    /** The ticks as a table (times relative to {@code from}). */
    String table(Instant from) {
        StringBuilder out = new StringBuilder("   t s | client | in pods | stable K / sim | panic K / sim | "
                + "ready | wanted K / sim | asked K / sim\n");
        for (Row r : rows) {
            out.append(String.format("%7.1f | %6.2f | %7.2f | %6.2f / %5.2f | %6.2f / %5.2f | %5d | %6d / %5d | "
                    + "%5d / %5d%s%n", (r.at().toEpochMilli() - from.toEpochMilli()) / 1e3, r.offered(), r.inPods(),
                    r.knativeStable(), r.simulatedStable(), r.knativePanic(), r.simulatedPanic(), r.ready(),
                    r.knativeWanted(), r.simulatedWanted(), r.knative(), r.simulated(),
                    !r.compared() ? "  (first window)" : r.agrees() ? "" : "  <- " + r.podsApart() + " apart"));
        }
        out.append(String.format("%d of %d compared ticks agree within a tick, the rest at most %d pod(s) apart; "
                + "Knative observed %.0f %% of the concurrency the client offered (the simulator's input is "
                + "scaled by it)%n", agreeing(), compared(), mostPodsApart(), 100 * observedShare));
        return out.toString();
    }
}
