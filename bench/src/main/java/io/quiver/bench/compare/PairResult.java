package io.quiver.bench.compare;

import java.util.List;

/**
 * One measured pair. {@code ratio} > 1 means Quiver is better: Quiver/peer for throughputs, peer/Quiver for
 * latencies.
 *
 * @param quiverRounds the metric in each alternated round, Quiver's side
 */
public record PairResult(String name, String metric, boolean higherIsBetter, double quiver, double peer,
                         double ratio, Double target, int rounds, List<Double> quiverRounds,
                         List<Double> peerRounds) {

    public boolean meetsTarget() {
        return target == null || ratio >= target;
    }
}
