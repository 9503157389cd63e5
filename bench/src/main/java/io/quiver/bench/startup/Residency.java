package io.quiver.bench.startup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A server's memory once it answers, as Linux counts it: resident in all ({@code rss_mb}), of it anonymous
 * ({@code rss_anon_mb}: heap, packed weights, KV cache; the pod's own) and file-backed ({@code rss_file_mb}: mapped
 * files, shared with the page cache and reclaimable), and of those the pages of the model's own files
 * ({@code rss_model_mb}: mappings under the given folders). In MB, from {@code /proc/<pid>/smaps_rollup} and
 * {@code smaps}.
 */
final class Residency {
    private Residency() {
    }

    static Map<String, Double> of(long pid, List<Path> modelFolders) throws IOException {
        Path proc = Path.of("/proc", Long.toString(pid));
        Map<String, Long> rollup = kilobytes(Files.readAllLines(proc.resolve("smaps_rollup")));
        long rss = rollup.getOrDefault("Rss", 0L);
        long anon = rollup.getOrDefault("Anonymous", 0L);
        Map<String, Double> mb = new LinkedHashMap<>();
        mb.put("rss_mb", rss / 1024.0);
        mb.put("rss_anon_mb", anon / 1024.0);
        mb.put("rss_file_mb", (rss - anon) / 1024.0);
        if (!modelFolders.isEmpty()) {
            mb.put("rss_model_mb", mapped(Files.readAllLines(proc.resolve("smaps")), modelFolders) / 1024.0);
        }
        return mb;
    }

    /** "Key:  123 kB" lines → key → kB. */
    static Map<String, Long> kilobytes(List<String> lines) {
        Map<String, Long> kb = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].endsWith(":") && f[2].equals("kB")) {
                kb.put(f[0].substring(0, f[0].length() - 1), Long.parseLong(f[1]));
            }
        }
        return kb;
    }

    /** Resident kB of the mappings of files under {@code folders}, from an smaps listing. */
    static long mapped(List<String> smaps, List<Path> folders) {
        long kb = 0;
        boolean counting = false;
        for (String line : smaps) {
            // "start-end perms offset dev inode [path]": the path may hold spaces.
            String[] f = line.trim().split("\\s+", 6);
            if (f.length >= 5 && f[0].matches("[0-9a-f]+-[0-9a-f]+")) {
                String file = f.length == 6 ? f[5] : "";
                counting = file.startsWith("/") && folders.stream().anyMatch(d -> Path.of(file).startsWith(d));
            } else if (counting && f.length == 3 && f[0].equals("Rss:")) {
                kb += Long.parseLong(f[1]);
            }
        }
        return kb;
    }
}
