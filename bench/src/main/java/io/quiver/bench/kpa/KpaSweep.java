package io.quiver.bench.kpa;

import io.quiver.bench.results.ResultsStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench kpa --sweep}: a small grid over the autoscaling annotations (target, utilisation, stable window,
 * panic window, scale-down delay; min/max scale and retention from the command line), each point run on the
 * diurnal and burst traces; the goal is at least 60 % of the always-on pod-seconds saved on both at a queue-wait
 * p99 of at most 1 s. Prints every point and the pick: of those that meet the goal, the longest stable window,
 * then the fewest cold starts.
 */
final class KpaSweep {
    /** One point: settings and, per trace, pod-seconds saved (fraction of always-on) and p99 queue wait (ms). */
    record Point(KpaSettings settings, double diurnalSaved, double diurnalP99, int diurnalColdStarts,
                 double burstSaved, double burstP99, int burstColdStarts) {
        boolean meetsGoal() {
            return diurnalSaved >= 0.6 && burstSaved >= 0.6 && diurnalP99 <= 1000 && burstP99 <= 1000;
        }

        double worstSaved() {
            return Math.min(diurnalSaved, burstSaved);
        }
    }

    private final KpaSettings base;
    private final PodCapacity capacity;
    private final long seed;
    private final Trace diurnal;
    private final Trace burst;

    KpaSweep(KpaSettings base, PodCapacity capacity, long seed, Trace diurnal, Trace burst) {
        this.base = base;
        this.capacity = capacity;
        this.seed = seed;
        this.diurnal = diurnal;
        this.burst = burst;
    }

    List<KpaSettings> grid() {
        List<KpaSettings> grid = new ArrayList<>();
        for (double target : new double[] {1.5, 2, 3, 6}) {
            for (double utilization : new double[] {0.7, 0.85, 1.0}) {
                for (double window : new double[] {6, 8, 10, 20, 60}) {
                    for (double panicPercentage : new double[] {10, 50}) {
                        for (double delay : new double[] {0, 10}) {
                            grid.add(base.withTarget(target, utilization)
                                    .withWindows(window, panicPercentage, base.panicThresholdPercentage())
                                    .withDelays(delay, base.scaleToZeroRetentionSeconds(), base.initialScale(),
                                            base.activationScale()));
                        }
                    }
                }
            }
        }
        return grid;
    }

    Point evaluate(KpaSettings s) {
        SimulationResult d = new KpaSimulator(s, capacity, seed).run(diurnal);
        SimulationResult b = new KpaSimulator(s, capacity, seed).run(burst);
        return new Point(s, 1 - d.costRatio(), d.queueWait().p99(), d.coldStarts(), 1 - b.costRatio(),
                b.queueWait().p99(), b.coldStarts());
    }

    void run(ResultsStore store) throws IOException {
        System.out.println("target util window panic% delay | diurnal saved p99 ms cold | burst saved p99 ms cold");
        List<Point> points = grid().parallelStream().map(this::evaluate).toList();
        for (Point p : points) {
            System.out.println(line(p));
        }
        // Of the points that meet the goal: the longest stable window (real traffic is noisier than these
        // traces), then the fewest cold starts (the least flapping)
        Point pick = points.stream().filter(Point::meetsGoal)
                .min(Comparator.comparingDouble((Point p) -> -p.settings().stableWindowSeconds())
                        .thenComparingInt(p -> p.diurnalColdStarts() + p.burstColdStarts()))
                .orElseGet(() -> points.stream().filter(p -> p.diurnalP99() <= 1000 && p.burstP99() <= 1000)
                        .max(Comparator.comparingDouble(Point::worstSaved)).orElse(points.getFirst()));
        System.out.println((pick.meetsGoal() ? "pick (meets the goal): " : "best (goal missed): ") + line(pick));
        System.out.println("-> " + store.write("kpa-sweep", new Sweep(points, pick)));
    }

    record Sweep(List<Point> points, Point pick) {
    }

    private static String line(Point p) {
        KpaSettings s = p.settings();
        return String.format(Locale.ROOT, "%6.1f %4.0f %% %5.0fs %5.0f %% %4.0fs | %6.1f %% %8.0f %5d | %6.1f %% %8.0f %5d",
                s.totalValue(), 100 * s.targetUtilization(), s.stableWindowSeconds(), s.panicWindowPercentage(),
                s.scaleDownDelaySeconds(), 100 * p.diurnalSaved(), p.diurnalP99(), p.diurnalColdStarts(),
                100 * p.burstSaved(), p.burstP99(), p.burstColdStarts());
    }
}
