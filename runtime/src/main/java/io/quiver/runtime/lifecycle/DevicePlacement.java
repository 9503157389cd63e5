package io.quiver.runtime.lifecycle;

import io.quiver.gpu.DeviceChoice;
import io.quiver.gpu.FitCheck;
import io.quiver.gpu.FitResult;
import io.quiver.gpu.GpuEnvironment;
import io.quiver.gpu.GpuPlacementException;
import io.quiver.gpu.GpuSettings;
import io.quiver.gpu.GpuUsage;
import io.quiver.gpu.JCudaProbe;
import io.quiver.gpu.MemoryNeed;
import io.quiver.gpu.Placement;
import io.quiver.models.MemoryEstimate;
import io.quiver.models.ModelKind;
import io.quiver.runtime.config.QuiverConfig;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Decides where each model runs: finds the device and its memory budget once (JCuda; never crashes without a
 * driver), then checks every model's estimated need against what the budget still has before it loads.
 */
final class DevicePlacement {
    private static final Logger LOG = Logger.getLogger(DevicePlacement.class);

    private final DeviceChoice choice;
    private final FitCheck fit;
    private final GpuUsage usage;

    private DevicePlacement(DeviceChoice choice, FitCheck fit, GpuUsage usage) {
        this.choice = choice;
        this.fit = fit;
        this.usage = usage;
    }

    static DevicePlacement resolve(QuiverConfig config) {
        QuiverConfig.Gpu gpu = config.gpu();
        GpuSettings settings = GpuSettings.parse(config.device(), gpu.memoryBudget().orElse(null),
                gpu.memoryUtilization().orElse(null), gpu.memoryReserve(), gpu.onInsufficientMemory());
        JCudaProbe probe = new JCudaProbe();
        DeviceChoice choice = GpuEnvironment.resolve(settings, System.getenv(), probe);
        LOG.infof("device: %s", choice.describe());
        return new DevicePlacement(choice, new FitCheck(choice, settings.onInsufficientMemory()),
                new GpuUsage(choice, probe));
    }

    /** Where {@code spec} loads; throws with one line (need, budget, source, what to change) when it cannot fit. */
    Placement place(ModelSpec spec, Path folder, ModelKind kind, int podCap) {
        if (!choice.onGpu()) {
            return Placement.CPU;
        }
        MemoryNeed need = MemoryEstimate.of(folder, kind, spec.onnxFile().orElse(null), spec.contextLength(),
                podCap, spec.adapters().values().stream().map(file -> ModelLoader.adapterFile(folder, file)).toList());
        FitResult result = fit.admit(spec.name(), need);
        if (!result.ok()) {
            throw new GpuPlacementException(result.message());
        }
        return result.placement();
    }

    DeviceChoice choice() {
        return choice;
    }

    GpuUsage usage() {
        return usage;
    }
}
