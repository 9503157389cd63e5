package io.quiver.gpu;

import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Decides once, at startup, where models run: honours {@code quiver.device}, probes the GPUs, refuses a pod the
 * shared-GPU scheduler had no room for, and resolves the memory budget. Settings, environment and probe are all
 * parameters; the runtime passes its config, {@code System.getenv()} and a {@link JCudaProbe}.
 */
public final class GpuEnvironment {
    private static final Logger LOG = Logger.getLogger(GpuEnvironment.class);
    /** Variables by which a shared-GPU scheduler grants this pod GPU memory. */
    private static final String[] GRANTS = {"CUDA_DEVICE_MEMORY_LIMIT", "CUDA_DEVICE_MEMORY_LIMIT_0",
        "CUDA_MPS_PINNED_DEVICE_MEM_LIMIT", "ALIYUN_COM_GPU_MEM_CONTAINER", "ALIBABACLOUD_COM_GPU_MEM_CONTAINER"};

    private GpuEnvironment() {
    }

    /**
     * @throws GpuPlacementException when a GPU was required and there is none, when the scheduler found no room,
     *         or when the budget leaves nothing for models
     * @throws IllegalArgumentException when an environment variable holds something that is not a size
     */
    public static DeviceChoice resolve(GpuSettings settings, Map<String, String> env, GpuProbe probe) {
        DeviceRequest request = settings.device();
        if (request.kind() == DeviceRequest.Kind.CPU) {
            DeviceChoice choice = DeviceChoice.cpu("quiver.device=cpu");
            LOG.infof("Device: %s", choice.describe());
            return choice;
        }
        BudgetResolver.noRoom(env).ifPresent(message -> {
            throw new GpuPlacementException(message);
        });
        GpuProbe.Discovery discovery = probe.discover();
        if (!discovery.found()) {
            return withoutGpu(request, env, discovery.reason());
        }
        LOG.infof("CUDA devices: %s", discovery.devices().stream().map(GpuDevice::describe)
                .collect(Collectors.joining("; ")));
        int index = request.index() >= 0 ? request.index() : discovery.devices().getFirst().index();
        GpuDevice device = discovery.devices().stream().filter(d -> d.index() == index).findFirst()
                .orElseThrow(() -> new GpuPlacementException("quiver.device=" + request + " but the visible CUDA "
                        + "devices are " + discovery.devices().stream().map(d -> "cuda:" + d.index())
                        .collect(Collectors.joining(", ")) + "; pick one of them or set quiver.device=cuda"));
        DeviceChoice choice = DeviceChoice.gpu(device, BudgetResolver.resolve(settings, env, device));
        LOG.infof("Device: %s", choice.describe());
        return choice;
    }

    private static DeviceChoice withoutGpu(DeviceRequest request, Map<String, String> env, String reason) {
        if (request.kind() == DeviceRequest.Kind.CUDA) {
            throw new GpuPlacementException("quiver.device=" + request + " but there is no GPU (" + reason
                    + "): give the pod a GPU (nvidia.com/gpu, nvidia.com/gpumem or aliyun.com/gpu-mem) on a node "
                    + "with the NVIDIA driver, or set quiver.device=auto or cpu");
        }
        for (String grant : GRANTS) {
            if (env.containsKey(grant)) {
                // Granted GPU memory but cannot see a GPU: worth a warning, since auto then serves slowly.
                LOG.warnf("%s is set but there is no usable GPU (%s); running on CPU", grant, reason);
                return DeviceChoice.cpu(reason);
            }
        }
        LOG.infof("%s, running on CPU", reason);
        return DeviceChoice.cpu(reason);
    }
}
