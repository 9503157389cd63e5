package io.quiver.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The real {@link GpuProbe}, on JCuda 12.6's runtime API. It must never take the process down: without a driver
 * the native library may fail to load ({@link UnsatisfiedLinkError}) and every later touch of a JCuda class then
 * throws {@link NoClassDefFoundError}, so the first {@link LinkageError} is caught once and remembered, and so is
 * {@code cudaErrorInsufficientDriver} (the CUDA runtime makes that answer sticky anyway).
 */
public final class JCudaProbe implements GpuProbe {
    private static final Logger LOG = Logger.getLogger(JCudaProbe.class);
    static final int SUCCESS = 0;
    static final int INSUFFICIENT_DRIVER = 35;
    static final int NO_DEVICE = 100;
    static final String NO_DRIVER = "no CUDA driver";

    private final Supplier<CudaRuntime> runtimes;
    private CudaRuntime runtime;
    /** Why CUDA can never answer in this process; null while it still may. */
    private String unavailable;

    public JCudaProbe() {
        this(JCudaRuntime::new);
    }

    JCudaProbe(Supplier<CudaRuntime> runtimes) {
        this.runtimes = runtimes;
    }

    @Override
    public synchronized Discovery discover() {
        if (unavailable != null) {
            return Discovery.none(unavailable);
        }
        try {
            CudaRuntime cuda = runtime();
            int[] count = new int[1];
            int rc = cuda.deviceCount(count);
            if (rc == INSUFFICIENT_DRIVER) {
                return Discovery.none(giveUp(NO_DRIVER));
            }
            if (rc == NO_DEVICE || (rc == SUCCESS && count[0] == 0)) {
                return Discovery.none(giveUp("no CUDA device"));
            }
            if (rc != SUCCESS) {
                return Discovery.none("CUDA unavailable: " + cuda.errorName(rc));
            }
            return measure(cuda, count[0]);
        } catch (LinkageError e) {
            LOG.debugf(e, "JCuda native library did not load");
            return Discovery.none(giveUp(NO_DRIVER + " (JCuda: " + e.getClass().getSimpleName() + ": "
                    + firstLine(e.getMessage()) + ")"));
        }
    }

    @Override
    public synchronized Optional<Memory> memory(int device) {
        if (unavailable != null) {
            return Optional.empty();
        }
        try {
            CudaRuntime cuda = runtime();
            long[] free = new long[1];
            long[] total = new long[1];
            if (cuda.setDevice(device) != SUCCESS || cuda.memGetInfo(free, total) != SUCCESS) {
                return Optional.empty();
            }
            return Optional.of(new Memory(free[0], total[0]));
        } catch (LinkageError e) {
            giveUp(NO_DRIVER + " (JCuda: " + e.getClass().getSimpleName() + ")");
            return Optional.empty();
        }
    }

    private Discovery measure(CudaRuntime cuda, int count) {
        List<GpuDevice> devices = new ArrayList<>();
        String failure = null;
        for (int i = 0; i < count; i++) {
            // cudaMemGetInfo answers for the current device, so select each in turn.
            long[] free = new long[1];
            long[] total = new long[1];
            int rc = cuda.setDevice(i);
            if (rc == SUCCESS) {
                rc = cuda.memGetInfo(free, total);
            }
            if (rc != SUCCESS) {
                failure = "cuda:" + i + " " + cuda.errorName(rc);
                LOG.warnf("CUDA device %d does not answer (%s); skipping it", i, cuda.errorName(rc));
                continue;
            }
            String name = cuda.deviceName(i);
            devices.add(new GpuDevice(i, name == null ? "CUDA device " + i : name, total[0], free[0]));
        }
        return devices.isEmpty() ? Discovery.none("CUDA devices do not answer: " + failure)
                : new Discovery(devices, "");
    }

    private CudaRuntime runtime() {
        if (runtime == null) {
            runtime = runtimes.get();
        }
        return runtime;
    }

    private String giveUp(String reason) {
        unavailable = reason;
        return reason;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }
}
