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
 * is a sawtooth); the JVM's allocation rate between samples by its median, per decode step where the server counts
 * them (a hot path that allocates more as it runs shows there), else per second. Limits: RSS +15 %, heap floor
 * +25 %, threads +8, open files +32, allocation rate +25 % by default; with {@code minDecodeSteps}, a soak that ran
 * fewer decode steps fails as too short to tell.
 */
public record GrowthCheck(double warmupFraction, double rssPercent, double heapPercent, int threads, int openFiles,
                          double allocationPercent, long minDecodeSteps) {

    public static GrowthCheck defaults() {
        return new GrowthCheck(0.2, 15, 25, 8, 32, 25, 0);
    }

    public GrowthCheck withMinDecodeSteps(long steps) {
        return new GrowthCheck(warmupFraction, rssPercent, heapPercent, threads, openFiles, allocationPercent, steps);
    }

    /**
     * Growth per measure ("rss", "heap", "threads", "files", "allocation"), the levels behind them (first and last
     * third: RSS in MB, allocation in MB/s and KB per decode step; decode steps in all) and the failures as sentences
     * (empty: no leak).
     */
    public record Verdict(Map<String, Double> growth, Map<String, Double> levels, List<String> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }
    }

    public Verdict check(List<ProcessSample> samples) {
        Map<String, Double> growth = new LinkedHashMap<>();
        Map<String, Double> levels = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        int start = (int) Math.floor(samples.size() * warmupFraction);
        List<ProcessSample> kept = samples.subList(start, samples.size());
        if (kept.size() < 6) {
            failures.add("too few samples after warm-up (" + kept.size() + "; need 6): run longer or sample faster");
            return new Verdict(growth, levels, failures);
        }
        int third = kept.size() / 3;
        List<ProcessSample> first = kept.subList(0, third);
        List<ProcessSample> last = kept.subList(kept.size() - third, kept.size());
        relative("rss", first, last, ProcessSample::rssMb, false, rssPercent, growth, failures);
        relative("heap", first, last, ProcessSample::heapMb, true, heapPercent, growth, failures);
        absolute("threads", first, last, s -> s.threads(), threads, growth, failures);
        absolute("files", first, last, s -> s.openFiles(), openFiles, growth, failures);
        levels.put("rss_first_mb", level(first, ProcessSample::rssMb, false));
        levels.put("rss_last_mb", level(last, ProcessSample::rssMb, false));
        allocation(samples, kept, growth, levels, failures);
        return new Verdict(growth, levels, failures);
    }

    /** The allocation rate between successive samples, first third against last, and the decode steps in all. */
    private void allocation(List<ProcessSample> all, List<ProcessSample> kept, Map<String, Double> growth,
                            Map<String, Double> levels, List<String> failures) {
        double steps = all.getLast().decodeSteps() - all.getFirst().decodeSteps();
        if (all.getFirst().decodeSteps() >= 0 && all.getLast().decodeSteps() >= 0) {
            levels.put("decode_steps", steps);
        }
        if (minDecodeSteps > 0 && !(steps >= minDecodeSteps)) {
            failures.add(String.format("%.0f decode steps in all (need %d): run longer", Math.max(steps, 0),
                    minDecodeSteps));
        }
        List<Double> perSecond = new ArrayList<>();
        List<Double> perStep = new ArrayList<>();
        for (int i = 1; i < kept.size(); i++) {
            ProcessSample a = kept.get(i - 1);
            ProcessSample b = kept.get(i);
            if (a.allocatedMb() < 0 || b.allocatedMb() < 0 || b.seconds() <= a.seconds()) {
                continue;
            }
            double mb = b.allocatedMb() - a.allocatedMb();
            perSecond.add(mb / (b.seconds() - a.seconds()));
            double stepped = b.decodeSteps() - a.decodeSteps();
            if (a.decodeSteps() >= 0 && stepped > 0) {
                perStep.add(1024 * mb / stepped);
            }
        }
        boolean bySteps = perStep.size() >= 6;
        List<Double> rates = bySteps ? perStep : perSecond;
        if (rates.size() < 6) {
            return; // not measured (a server without the JVM's allocation counter)
        }
        int third = rates.size() / 3;
        double a = SmallSample.of(rates.subList(0, third)).median();
        double b = SmallSample.of(rates.subList(rates.size() - third, rates.size())).median();
        String unit = bySteps ? "kb_per_step" : "mb_per_s";
        levels.put("allocation_" + unit + "_first", a);
        levels.put("allocation_" + unit + "_last", b);
        if (!perSecond.isEmpty()) {
            levels.put("allocation_mb_per_s", SmallSample.of(perSecond).median());
        }
        if (a <= 0) {
            return;
        }
        double pct = 100 * (b - a) / a;
        growth.put("allocation_percent", pct);
        if (pct > allocationPercent) {
            failures.add(String.format("allocation %s grew %.1f %% (%.1f → %.1f; limit %.0f %%)",
                    bySteps ? "per decode step" : "per second", pct, a, b, allocationPercent));
        }
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
