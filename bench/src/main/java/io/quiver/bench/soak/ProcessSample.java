package io.quiver.bench.soak;

/**
 * One reading of the server: resident memory, JVM heap in use, live threads, open file descriptors, and two running
 * totals: MB the JVM has allocated since start (exactly, from its threading bean, see {@link JvmAllocation}; else
 * from the metrics' {@code jvm_gc_memory_allocated_bytes_total}) and chat decode steps run
 * ({@code quiver_batch_size_count}); -1 where not read.
 */
public record ProcessSample(double seconds, double rssMb, double heapMb, int threads, int openFiles,
                            double allocatedMb, double decodeSteps) {

    public ProcessSample(double seconds, double rssMb, double heapMb, int threads, int openFiles) {
        this(seconds, rssMb, heapMb, threads, openFiles, -1, -1);
    }

    public ProcessSample withAllocatedMb(double mb) {
        return mb < 0 ? this : new ProcessSample(seconds, rssMb, heapMb, threads, openFiles, mb, decodeSteps);
    }
}
