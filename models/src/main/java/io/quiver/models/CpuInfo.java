package io.quiver.models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The CPU as {@code /proc/cpuinfo} describes it: ONNX Runtime picks CPU kernels by instruction set, so optimised
 * graphs and some results (int8 products) depend on it. Empty where the file is missing or unreadable.
 */
public final class CpuInfo {
    private static final Path INFO = Path.of("/proc/cpuinfo");
    /** Read once: the CPU does not change under a running process, and every graph open asks. */
    private static final List<String> DESCRIBED = read();

    private CpuInfo() {
    }

    /** The first core's {@code model name} and {@code flags} lines, as the file writes them. */
    public static List<String> describe() {
        return DESCRIBED;
    }

    private static List<String> read() {
        if (!Files.isReadable(INFO)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(INFO)) {
            return lines.filter(l -> l.startsWith("model name") || l.startsWith("flags")).distinct().toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** The instruction-set flags ({@code avx2}, {@code avx512_vnni}, ...). */
    public static List<String> flags() {
        return describe().stream().filter(l -> l.startsWith("flags")).findFirst()
                .map(l -> List.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))).orElse(List.of());
    }
}
