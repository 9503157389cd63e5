package io.quiver.bench.soak;

import io.quiver.bench.results.SmallSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Decides whether a soak leaked: compares the first and the last third of the samples after warm-up. RSS, threads
 * and open files by their medians; heap by its minimum in each third (the floor after collections, since the heap
 * is a sawtooth). Limits: RSS +15 %, heap floor +25 %, threads +8, open files +32 by default.
 */
public record GrowthCheck(double warmupFraction, double rssPercent, double heapPercent, int threads, int openFiles) {

    public static GrowthCheck defaults() {
        return new GrowthCheck(0.2, 15, 25, 8, 32);
    }

    /** Growth per measure ("rss", "heap", "threads", "files") and the failures as sentences (empty: no leak). */
    public record Verdict(Map<String, Double> growth, List<String> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    public Verdict check(List<ProcessSample> samples) {
        Map<String, Double> growth = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        int start = (int) Math.floor(samples.size() * warmupFraction);
        List<ProcessSample> kept = samples.subList(start, samples.size());
        if (kept.size() < 6) {
            failures.add("too few samples after warm-up (" + kept.size() + "; need 6): run longer or sample faster");
            return new Verdict(growth, failures);
        }
        int third = kept.size() / 3;
        List<ProcessSample> first = kept.subList(0, third);
        List<ProcessSample> last = kept.subList(kept.size() - third, kept.size());
        relative("rss", first, last, ProcessSample::rssMb, false, rssPercent, growth, failures);
        relative("heap", first, last, ProcessSample::heapMb, true, heapPercent, growth, failures);
        absolute("threads", first, last, s -> s.threads(), threads, growth, failures);
        absolute("files", first, last, s -> s.openFiles(), openFiles, growth, failures);
        return new Verdict(growth, failures);
    }

    private static void relative(String name, List<ProcessSample> first, List<ProcessSample> last,
                                 ToDoubleFunction<ProcessSample> f, boolean floor, double limit,
                                 Map<String, Double> growth, List<String> failures) {
        double a = level(first, f, floor);
        double b = level(last, f, floor);
        if (a <= 0 || b < 0) {
            return; // not measured
        }
        double pct = 100 * (b - a) / a;
        growth.put(name + "_percent", pct);
        if (pct > limit) {
            failures.add(String.format("%s grew %.1f %% (%.1f → %.1f MB; limit %.0f %%)", name, pct, a, b, limit));
        }
    }

    private static void absolute(String name, List<ProcessSample> first, List<ProcessSample> last,
                                 ToDoubleFunction<ProcessSample> f, int limit, Map<String, Double> growth,
                                 List<String> failures) {
        double a = level(first, f, false);
        double b = level(last, f, false);
        if (a < 0 || b < 0) {
            return;
        }
        growth.put(name, b - a);
        if (b - a > limit) {
            failures.add(String.format("%s grew by %.0f (%.0f → %.0f; limit %d)", name, b - a, a, b, limit));
        }
    }

    private static double level(List<ProcessSample> samples, ToDoubleFunction<ProcessSample> f, boolean floor) {
        List<Double> values = samples.stream().map(f::applyAsDouble).filter(v -> v >= 0).toList();
        if (values.isEmpty()) {
            return -1;
        }
        return floor ? values.stream().mapToDouble(Double::doubleValue).min().orElse(-1)
                : SmallSample.of(values).median();
    }
}
