package io.quiver.bench.soak;

/** One reading of the server: resident memory, JVM heap in use, live threads, open file descriptors. */
public record ProcessSample(double seconds, double rssMb, double heapMb, int threads, int openFiles) {
}
