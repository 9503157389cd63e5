package io.quiver.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a process from {@code /proc/<pid>} (RSS, threads, open files: what the kernel and the kubelet see) and the
 * JVM's own view from Prometheus text ({@code jvm_memory_used_bytes{area="heap"}}, {@code jvm_threads_live_threads},
 * {@code jvm_gc_memory_allocated_bytes_total}) with the chat engines' decode steps ({@code quiver_batch_size_count}).
 * The heap reading is the old generation when the collector reports one: the young generation's sawtooth says
 * nothing about leaks, what survives into the old generation does.
 * Either source may be absent (a remote server has no /proc here); missing values read as -1.
 */
public final class ProcessSampler {
    private static final Pattern HEAP = Pattern.compile(
            "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    private static final Pattern OLD_GEN = Pattern.compile(
            "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*id=\"[^\"]*(?:Old|Tenured)[^\"]*\"[^}]*}\\s+([0-9.eE+-]+)",
            Pattern.MULTILINE);
    private static final Pattern ALLOCATED = Pattern.compile(
            "^jvm_gc_memory_allocated_bytes_total(?:\\{[^}]*})?\\s+([0-9.eE+-]+)", Pattern.MULTILINE);
    /** The chat engine's per-step batch-size summary: its count is the decode steps run, per model. */
    private static final Pattern STEPS = Pattern.compile("^quiver_batch_size_count(?:\\{[^}]*})?\\s+([0-9.eE+-]+)",
            Pattern.MULTILINE);
    private static final Pattern LIVE = Pattern.compile("^jvm_threads_live_threads(?:\\{[^}]*})?\\s+([0-9.eE+-]+)",
            Pattern.MULTILINE);

    private ProcessSampler() {
    }

    public static ProcessSample sample(double seconds, long pid, String metrics) {
        double rss = -1;
        int threads = -1;
        int files = -1;
        if (pid > 0) {
            Path proc = Path.of("/proc", Long.toString(pid));
            try {
                for (String line : Files.readAllLines(proc.resolve("status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                    } else if (line.startsWith("Threads:")) {
                        threads = Integer.parseInt(line.replaceAll("\\D", ""));
                    }
                }
                try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                    files = (int) fds.count();
                }
            } catch (IOException | RuntimeException gone) {
                // the process ended or /proc is not ours to read
            }
        }
        double heap = -1;
        double allocated = -1;
        double steps = -1;
        if (metrics != null) {
            allocated = sum(ALLOCATED, metrics, 1024 * 1024);
            steps = sum(STEPS, metrics, 1);
            Matcher m = OLD_GEN.matcher(metrics);
            if (!m.find()) {
                m = HEAP.matcher(metrics);
            } else {
                m.reset();
            }
            while (m.find()) {
                heap = Math.max(0, heap) + Double.parseDouble(m.group(1)) / (1024 * 1024);
            }
            if (threads < 0) {
                Matcher t = LIVE.matcher(metrics);
                if (t.find()) {
                    threads = (int) Double.parseDouble(t.group(1));
                }
            }
        }
        return new ProcessSample(seconds, rss, heap, threads, files, allocated, steps);
    }

    /** The sum of every series that matches, divided by {@code unit}; -1 when none does. */
    private static double sum(Pattern series, String metrics, double unit) {
        Matcher m = series.matcher(metrics);
        double total = -1;
        while (m.find()) {
            total = Math.max(0, total) + Double.parseDouble(m.group(1)) / unit;
        }
        return total;
    }
}
