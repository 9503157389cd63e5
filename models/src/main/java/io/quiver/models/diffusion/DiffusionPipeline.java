package io.quiver.models.diffusion;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.ModelFolder;
import io.quiver.models.ModelLoadException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Stable Diffusion pipeline over an Optimum/diffusers ONNX folder: CLIP tokenizer and text encoder, UNet with
 * classifier-free guidance (or an LCM guidance embedding), a scheduler per request, VAE decoder, PNG out.
 * Thread-safe: the ONNX Runtime sessions are, and each generation has its own scheduler and noise.
 */
public final class DiffusionPipeline implements AutoCloseable {
    private static final int LATENT_CHANNELS = 4;

    private final Path root;
    private final ClipTokenizer tokenizer;
    private final TextEncoder textEncoder;
    private final UNet unet;
    private final VaeDecoder vae;
    private final SchedulerConfig schedulerConfig;
    private final double vaeScalingFactor;
    private final int vaeScale;
    private final int condDim;
    private final GenerationSettings.Defaults defaults;
    private volatile ImageBudget budget;
    private final AtomicLong denoisingSteps = new AtomicLong();

    private DiffusionPipeline(Path root, ClipTokenizer tokenizer, TextEncoder textEncoder, UNet unet, VaeDecoder vae,
                              SchedulerConfig schedulerConfig, ModelFolder folder) {
        this.root = root;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
        JsonNode vaeConfig = folder.json("vae_decoder/config.json");
        JsonNode unetConfig = folder.json("unet/config.json");
        this.vaeScalingFactor = vaeConfig.path("scaling_factor").asDouble(0.18215);
        int vaeBlocks = vaeConfig.path("block_out_channels").size();
        this.vaeScale = vaeBlocks > 0 ? 1 << (vaeBlocks - 1) : 8;
        int unetBlocks = unetConfig.path("block_out_channels").size();
        int sizeMultiple = vaeScale * (unetBlocks > 0 ? 1 << (unetBlocks - 1) : 1);
        int condDim = unet.timestepCondDim();
        this.condDim = condDim > 0 ? condDim : unetConfig.path("time_cond_proj_dim").asInt(256);
        int side = unetConfig.path("sample_size").asInt(64) * vaeScale;
        boolean lcm = unet.takesTimestepCond();
        SchedulerKind configured = SchedulerKind.ofClassName(schedulerConfig.className());
        SchedulerKind kind = lcm ? SchedulerKind.LCM : configured == null ? SchedulerKind.EULER : configured;
        this.defaults = new GenerationSettings.Defaults(side, side, lcm ? 4 : 25, lcm ? 8.5 : 7.5, kind, sizeMultiple,
                schedulerConfig.originalInferenceSteps());
        this.budget = ImageBudget.of(unetConfig, side, vaeScale);
    }

    /** Opens the three graphs and the tokenizer of a diffusers/Optimum ONNX folder. */
    public static DiffusionPipeline load(Path folder, Placement placement) {
        ModelFolder model = ModelFolder.of(folder);
        model.require("model index", List.of("model_index.json"));
        Path schedulerFile = model.require("scheduler config", List.of("scheduler/scheduler_config.json"));
        SchedulerConfig scheduler = SchedulerConfig.parse(model.json("scheduler/scheduler_config.json"), schedulerFile);
        Path textFile = model.require("text encoder", List.of("text_encoder/model.onnx"));
        Path unetFile = model.require("UNet", List.of("unet/model.onnx"));
        Path vaeFile = model.require("VAE decoder", List.of("vae_decoder/model.onnx"));
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            ClipTokenizer tokenizer = add(opened, ClipTokenizer.load(model));
            TextEncoder text = add(opened, new TextEncoder(textFile, placement));
            UNet unet = add(opened, new UNet(unetFile, placement));
            VaeDecoder vae = add(opened, new VaeDecoder(vaeFile, placement));
            return new DiffusionPipeline(folder, tokenizer, text, unet, vae, scheduler, model);
        } catch (RuntimeException e) {
            for (AutoCloseable c : opened.reversed()) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static <T extends AutoCloseable> T add(List<AutoCloseable> opened, T resource) {
        opened.add(resource);
        return resource;
    }

    public GenerationSettings.Defaults defaults() {
        return defaults;
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    /** True when the UNet takes {@code timestep_cond}: guidance by embedding, LCM by default. */
    public boolean latentConsistency() {
        return unet.takesTimestepCond();
    }

    /** Denoising steps (UNet evaluations over a batch) run since load, over all requests. */
    public long denoisingSteps() {
        return denoisingSteps.get();
    }

    /** The scheduler a request naming {@code name} (null: the default) gets for {@code steps} steps. */
    public Scheduler scheduler(String name, int steps) {
        SchedulerKind kind = name == null ? defaults.scheduler() : SchedulerKind.named(name);
        return kind.create(schedulerConfig, steps);
    }

    /** The initial-noise shape for a request: [n, 4, height / 8, width / 8]. */
    public long[] latentShape(int n, int width, int height) {
        return new long[] {n, LATENT_CHANNELS, height / vaeScale, width / vaeScale};
    }

    /**
     * Checks a request and fills in its defaults without running anything, so a caller can answer 400 before
     * queueing it; {@link #generate} checks again.
     *
     * @throws InvalidRequestException naming the field at fault
     */
    public GenerationSettings validate(ImageRequest request) {
        GenerationSettings settings = GenerationSettings.resolve(request, defaults);
        budget.check(settings, guided(settings));
        try {
            // A scheduler may refuse a step count its config cannot run (PNDM's Runge-Kutta start needs 4).
            settings.scheduler().create(schedulerConfig, settings.steps());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("num_inference_steps", e.getMessage());
        }
        return settings;
    }

    /** What one request may cost on this pipeline. */
    public ImageBudget budget() {
        return budget;
    }

    /** Sets the most work one request may ask for, in denoising steps of one native-size image. */
    public void limitWork(int nativeImageSteps) {
        budget = budget.withMaxWork(nativeImageSteps);
    }

    private boolean guided(GenerationSettings s) {
        return !unet.takesTimestepCond() && s.guidanceScale() > 1.0;
    }

    /** Runs one small image, so the first request pays no first-run costs (call it on a large-stack thread). */
    public void warmUp() {
        // One step, but PNDM's Runge-Kutta start (a config without skip_prk_steps) runs no fewer than four.
        boolean rungeKutta = defaults.scheduler() == SchedulerKind.PNDM && !schedulerConfig.skipPrkSteps();
        generate(ImageRequest.of("warm-up").withSeed(0L).withSteps(rungeKutta ? 4 : 1));
    }

    /** PNG bytes of each of the request's {@code n} images. */
    public List<byte[]> generate(ImageRequest request) {
        return generate(request, null, StepListener.NONE);
    }

    public List<byte[]> generate(ImageRequest request, StepListener listener) {
        return generate(request, null, listener);
    }

    /**
     * As {@link #generate(ImageRequest)}, starting from the given noise instead of the seeded one.
     *
     * @param initialNoise standard normal [n, 4, height / 8, width / 8], flattened; null draws it from the seed
     */
    public List<byte[]> generate(ImageRequest request, float[] initialNoise, StepListener listener) {
        return generate(request, initialNoise, null, listener);
    }

    /**
     * As {@link #generate(ImageRequest, float[], StepListener)}, with the noise stochastic schedulers (LCM) add
     * between steps taken from {@code stepNoise} instead of the seeded generators: how a test feeds the reference's
     * noise.
     */
    List<byte[]> generate(ImageRequest request, float[] initialNoise, Scheduler.StepNoise stepNoise,
                          StepListener listener) {
        GenerationSettings s = validate(request);
        long[] shape = latentShape(s.n(), s.width(), s.height());
        int perImage = (int) (shape[1] * shape[2] * shape[3]);
        List<GaussianNoise> generators = new ArrayList<>();
        for (int k = 0; k < s.n(); k++) {
            generators.add(new GaussianNoise(s.seed() + k));
        }
        float[] latents;
        if (initialNoise == null) {
            latents = batchNoise(generators, perImage);
        } else if (initialNoise.length != s.n() * perImage) {
            throw new InvalidRequestException(null, "initial noise has " + initialNoise.length + " values, expected "
                    + s.n() * perImage);
        } else {
            latents = initialNoise.clone();
        }
        Scheduler scheduler = s.scheduler().create(schedulerConfig, s.steps());
        Scheduler.StepNoise noise = stepNoise != null ? stepNoise : length -> batchNoise(generators, perImage);
        float[] finalLatents = denoise(s, scheduler, latents, shape, noise, listener);
        List<byte[]> images = new ArrayList<>(s.n());
        long[] one = {1, shape[1], shape[2], shape[3]};
        for (int k = 0; k < s.n(); k++) {
            float[] z = new float[perImage];
            for (int j = 0; j < perImage; j++) {
                z[j] = (float) (finalLatents[k * perImage + j] / vaeScalingFactor);
            }
            float[] pixels = vae.decode(z, one);
            images.add(PngImages.png(PngImages.rgb(pixels, 0, s.height(), s.width()), s.height(), s.width()));
        }
        return images;
    }

    private static float[] batchNoise(List<GaussianNoise> generators, int perImage) {
        float[] out = new float[generators.size() * perImage];
        for (int k = 0; k < generators.size(); k++) {
            System.arraycopy(generators.get(k).next(perImage), 0, out, k * perImage, perImage);
        }
        return out;
    }

    private float[] denoise(GenerationSettings s, Scheduler scheduler, float[] latents, long[] shape,
                            Scheduler.StepNoise stepNoise, StepListener listener) {
        int n = s.n();
        int perImage = latents.length / n;
        boolean lcm = unet.takesTimestepCond();
        boolean guided = guided(s);
        int rows = guided ? 2 * n : n;
        int seq = tokenizer.maxLength();
        float[] cond = textEncoder.encode(guided
                ? new long[][] {tokenizer.encode(s.negativePrompt()), tokenizer.encode(s.prompt())}
                : new long[][] {tokenizer.encode(s.prompt())});
        int rowSize = guided ? cond.length / 2 : cond.length;
        // [uncond × n, text × n] with guidance, [text × n] without.
        float[] hidden = new float[rows * rowSize];
        for (int r = 0; r < rows; r++) {
            int source = guided && r >= n ? 1 : 0;
            System.arraycopy(cond, source * rowSize, hidden, r * rowSize, rowSize);
        }
        long[] hiddenShape = {rows, seq, rowSize / seq};
        float[] timestepCond = null;
        if (lcm) {
            float[] w = LcmScheduler.guidanceEmbedding(s.guidanceScale() - 1.0, condDim);
            timestepCond = new float[n * condDim];
            for (int k = 0; k < n; k++) {
                System.arraycopy(w, 0, timestepCond, k * condDim, condDim);
            }
        }
        double sigma = scheduler.initNoiseSigma();
        for (int j = 0; j < latents.length; j++) {
            latents[j] = (float) (latents[j] * sigma);
        }
        double[] timesteps = scheduler.timesteps();
        long[] inputShape = {rows, shape[1], shape[2], shape[3]};
        float[] input = new float[rows * perImage];
        float[] guidedOutput = new float[latents.length];
        for (int i = 0; i < timesteps.length; i++) {
            double scale = scheduler.inputScale(i);
            for (int j = 0; j < input.length; j++) {
                input[j] = (float) (latents[j % latents.length] * scale);
            }
            float[] out = unet.predict(input, inputShape, timesteps[i], hidden, hiddenShape, timestepCond);
            if (guided) {
                double g = s.guidanceScale();
                int half = latents.length;
                for (int j = 0; j < half; j++) {
                    double u = out[j];
                    guidedOutput[j] = (float) (u + g * (out[half + j] - u));
                }
            } else {
                System.arraycopy(out, 0, guidedOutput, 0, latents.length);
            }
            scheduler.step(guidedOutput, i, latents, stepNoise);
            denoisingSteps.incrementAndGet();
            listener.onStep(i + 1, timesteps.length);
        }
        return latents;
    }

    @Override
    public void close() {
        vae.close();
        unet.close();
        textEncoder.close();
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "DiffusionPipeline[" + root + "]";
    }
}
