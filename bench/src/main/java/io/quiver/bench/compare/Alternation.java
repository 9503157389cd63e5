package io.quiver.bench.compare;

import io.quiver.bench.load.LevelLine;
import io.quiver.bench.results.LevelResult;
import io.quiver.bench.results.SmallSample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Measures two systems in the same run, alternating A B B A ... so that drift (thermal, page cache, neighbours)
 * hits both equally; each side's metric is the median over rounds.
 */
public final class Alternation {

    /** One metric read off the level results of both sides. */
    public record Metric(String name, ToDoubleFunction<LevelResult> read, boolean higherIsBetter, Double target) {
        public Metric withTarget(Double t) {
            return new Metric(name, read, higherIsBetter, t);
        }
    }

    private Alternation() {
    }

    /** Runs {@code rounds} rounds and returns one pair per metric. */
    public static List<PairResult> run(String name, int rounds, Supplier<LevelResult> quiver,
                                       Supplier<LevelResult> peer, boolean generates, List<Metric> metrics) {
        List<LevelResult> q = new ArrayList<>();
        List<LevelResult> p = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            boolean quiverFirst = r % 2 == 0;
            LevelResult first = (quiverFirst ? quiver : peer).get();
            LevelResult second = (quiverFirst ? peer : quiver).get();
            LevelResult qr = quiverFirst ? first : second;
            LevelResult pr = quiverFirst ? second : first;
            q.add(qr);
            p.add(pr);
            System.out.printf("  %s round %d%n    quiver %s%n    peer   %s%n", name, r + 1,
                    LevelLine.format(qr, generates), LevelLine.format(pr, generates));
        }
        List<PairResult> pairs = new ArrayList<>();
        for (Metric m : metrics) {
            List<Double> qv = q.stream().map(m.read()::applyAsDouble).toList();
            List<Double> pv = p.stream().map(m.read()::applyAsDouble).toList();
            double qm = SmallSample.of(qv).median();
            double pm = SmallSample.of(pv).median();
            pairs.add(new PairResult(name, m.name(), m.higherIsBetter(), qm, pm, ratio(qm, pm, m.higherIsBetter()),
                    m.target(), rounds, qv, pv));
        }
        return pairs;
    }

    /** > 1: Quiver better. */
    public static double ratio(double quiver, double peer, boolean higherIsBetter) {
        if (quiver <= 0 || peer <= 0) {
            return 0;
        }
        return higherIsBetter ? quiver / peer : peer / quiver;
    }
}
