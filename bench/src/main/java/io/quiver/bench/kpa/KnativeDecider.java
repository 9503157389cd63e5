package io.quiver.bench.kpa;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs Knative's own KPA decider (bench/kpa-go, knative.dev/serving's pkg/autoscaler/scaling, built by its
 * build.sh) over a simulation's per-second concurrency and ready pods, with the same settings, and compares its
 * count with the simulator's at every tick.
 */
public final class KnativeDecider {
    private final Path binary;

    private KnativeDecider(Path binary) {
        this.binary = binary;
    }

    /** Builds (or finds, cached) the harness; fails with what to install when there is no Go toolchain. */
    public static KnativeDecider build() throws IOException {
        Path script = repoRoot().resolve("bench/kpa-go/build.sh");
        Path log = Files.createTempFile("kpa-go-build", ".log");
        Process p = new ProcessBuilder("bash", script.toString()).redirectError(log.toFile()).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            boolean done = p.waitFor(10, TimeUnit.MINUTES);
            String err = Files.readString(log).trim();
            Files.deleteIfExists(log);
            if (!done || p.exitValue() != 0) {
                throw new IOException("bench/kpa-go/build.sh failed (Knative's decider needs Go 1.22+ and the Go"
                        + " module proxy): " + err);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted building bench/kpa-go", e);
        }
        String[] lines = out.split("\n");
        return new KnativeDecider(Path.of(lines[lines.length - 1]));
    }

    private static Path repoRoot() throws IOException {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("bench/kpa-go/build.sh"))) {
                return d;
            }
        }
        throw new IOException("bench/kpa-go/build.sh not found above " + Path.of("").toAbsolutePath());
    }

    /** Knative's desired pods per tick time (seconds), for the result's concurrency and ready pods. */
    public Map<Long, double[]> decide(SimulationResult r) throws IOException {
        KpaSettings s = r.settings();
        double[] concurrency = r.concurrency();
        int[] ready = new int[concurrency.length];
        Map<Long, Integer> readyAtTick = new HashMap<>();
        for (double[] tick : r.ticks()) {
            readyAtTick.put((long) tick[0], (int) tick[1]);
        }
        int last = 0;
        StringBuilder trace = new StringBuilder("# second,concurrency,ready pods at a tick at its end\n");
        for (int i = 0; i < concurrency.length; i++) {
            last = readyAtTick.getOrDefault((long) i + 1, last);
            ready[i] = last;
            // Double.toString: the exact value, so Knative's windows add the same doubles
            trace.append(i).append(',').append(concurrency[i]).append(',').append(ready[i]).append('\n');
        }
        Path file = Files.createTempFile("kpa-" + r.trace() + "-", ".csv");
        try {
            Files.writeString(file, trace);
            List<String> cmd = List.of(binary.toString(), "-trace", file.toString(),
                    "-container-concurrency", num(s.containerConcurrency()), "-target", num(s.totalValue()),
                    "-target-utilization-percentage", num(100 * s.targetUtilization()),
                    "-stable-window", ms(s.stableWindowSeconds()),
                    "-panic-window-percentage", num(s.panicWindowPercentage()),
                    "-panic-threshold-percentage", num(s.panicThresholdPercentage()),
                    "-target-burst-capacity", num(s.targetBurstCapacity()),
                    "-max-scale-up-rate", num(s.maxScaleUpRate()), "-max-scale-down-rate", num(s.maxScaleDownRate()),
                    "-scale-down-delay", ms(s.scaleDownDelaySeconds()), "-tick", ms(s.tickSeconds()),
                    "-activation-scale", num(s.activationScale()), "-initial-scale", num(s.initialScale()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("kpa-decider failed: " + out);
            }
            Map<Long, double[]> byTick = new TreeMap<>();
            for (String line : out.split("\n")) {
                String[] f = line.trim().split(",");
                if (f.length < 7 || f[0].equals("t")) {
                    continue;
                }
                double desired = f[5].equals("invalid") ? Double.NaN : Double.parseDouble(f[5]);
                // {desired, stable, panic}
                byTick.put(Long.parseLong(f[0]), new double[] {desired, Double.parseDouble(f[2]),
                        Double.parseDouble(f[3])});
            }
            return byTick;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Tick by tick: the simulator's decider against Knative's, and what the simulator applied. */
    public KnativeComparison compare(SimulationResult r) throws IOException {
        Map<Long, double[]> knative = decide(r);
        KpaSettings s = r.settings();
        int ticks = 0;
        int equal = 0;
        int maxDiff = 0;
        double maxStable = 0;
        double maxPanic = 0;
        Map<String, Integer> applied = new TreeMap<>();
        List<double[]> rows = new ArrayList<>();
        for (double[] tick : r.ticks()) {
            double[] k = knative.get((long) tick[0]);
            if (k == null) {
                continue; // Knative's first tick is one interval in; the simulator also decides at t = 0
            }
            ticks++;
            int ours = (int) tick[4];
            int applies = (int) tick[5];
            int theirs = Double.isNaN(k[0]) ? -1 : (int) k[0];
            rows.add(new double[] {tick[0], ours, applies, theirs});
            maxStable = Math.max(maxStable, Math.abs(tick[2] - k[1]));
            maxPanic = Math.max(maxPanic, Math.abs(tick[3] - k[2]));
            if (ours == theirs) {
                equal++;
            } else {
                maxDiff = Math.max(maxDiff, Math.abs(ours - theirs));
            }
            if (applies != theirs) {
                String why = ours != theirs ? "decider differs"
                        : theirs == 0 && applies == 1 ? "last pod kept (scale-to-zero grace / pod retention)"
                        : applies == s.minScale() || applies == s.maxScale() ? "min/max scale" : "other";
                applied.merge(why, 1, Integer::sum);
            }
        }
        return new KnativeComparison(ticks, equal, maxDiff, applied, maxStable, maxPanic, rows);
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%s", v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v));
    }

    private static String ms(double seconds) {
        return Math.round(seconds * 1000) + "ms";
    }
}
