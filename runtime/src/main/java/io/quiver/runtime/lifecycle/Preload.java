package io.quiver.runtime.lifecycle;

import io.quiver.gpu.Placement;
import io.quiver.models.CacheFolder;
import io.quiver.models.EmbeddedModels;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatModel;
import io.quiver.models.diffusion.DiffusionPipeline;
import io.quiver.models.encoder.EncoderModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Cold start: loads the models this process will most likely serve from the first line of {@code main}, in
 * parallel with the framework's own start, instead of after it. Encoders and diffusion pipelines are also warmed;
 * a chat model gets its tokenizer parsed and its graph opened, and is warmed once it is served with its options.
 * The configuration cannot be read yet, so the models are guessed from the environment and system properties,
 * read by the same {@link io.quiver.runtime.config.Settings} the configuration uses ({@code quiver.models.<name>.path}
 * and the chat graph from {@code .onnx-file}; with none, the embedded defaults). The guess is only a head
 * start: {@link ModelRegistry} claims a preloaded model only when its configured path, kind, placement and graph
 * match, loads anything else as usual, and closes whatever nobody claimed.
 */
public final class Preload {
    private static final Logger LOG = Logger.getLogger(Preload.class);
    private static final Map<String, CompletableFuture<Loaded>> LOADING = new ConcurrentHashMap<>();
    private static final Set<Object> WARM = ConcurrentHashMap.newKeySet();
    /** Claimed models, with what their load cost here: the registry reports these times, not the hand-over. */
    private static final Map<Object, Loaded> CLAIMED = new ConcurrentHashMap<>();

    /**
     * A preloaded model and its costs: {@code startNanos} ({@link System#nanoTime}) when its load started,
     * {@code warmNanos} 0 when it was not warmed here (a chat model is warmed once served with its options).
     */
    record Loaded(AutoCloseable model, ModelKind kind, long startNanos, long loadNanos, long warmNanos) {
    }

    /** What main guesses for one model path: the served name and, for a chat model, its graph (null: default). */
    record Guess(String name, String onnxFile) {
    }

    private Preload() {
    }

    /**
     * Starts loading the guessed models, each on its own thread; returns at once. {@code settings}: the
     * {@code quiver.*} keys the launch sees ({@link io.quiver.runtime.config.Settings#atLaunch}).
     */
    public static void start(Map<String, String> settings) {
        Path cacheDir;
        try {
            cacheDir = CacheFolder.open(Path.of(settings.getOrDefault("quiver.cache-dir", defaultCacheDir())));
        } catch (RuntimeException e) {
            // The registry opens it again once the configuration is read, and stops the start with this line.
            LOG.debugf("no preload: %s", e.getMessage());
            return;
        }
        ModelLoader.configureSessions(cacheDir, settings.getOrDefault("quiver.graph-cache", "auto"),
                Boolean.parseBoolean(settings.getOrDefault("quiver.cpu.spin-wait", "false")));
        if (gpuLikely(settings.getOrDefault("quiver.device", "auto"))) {
            // A CPU copy would be thrown away, and a large chat model's would cost the pod gigabytes meanwhile.
            LOG.info("startup phase launch: main entered, a GPU is likely, so models load once the device is known");
            return;
        }
        Map<String, Guess> models = guess(settings);
        LOG.infof("startup phase launch: main entered, preloading %s beside the framework's start", models.keySet());
        java.util.concurrent.Executor thread = r -> Thread.ofPlatform().name("quiver-preload")
                .stackSize(ModelLoader.STACK_BYTES).daemon().start(r);
        CompletableFuture<Void> natives = CompletableFuture.runAsync(() -> NativeLibraries.pinOnnxRuntime(cacheDir),
                thread);
        models.forEach((path, guess) -> LOADING.put(path, natives.thenApplyAsync(ignored -> load(path, guess,
                cacheDir), thread)));
    }

    /** {@code quiver.cache-dir}'s default, as the configuration expands it: one folder per user. */
    static String defaultCacheDir() {
        return System.getProperty("java.io.tmpdir") + "/quiver-" + System.getProperty("user.name");
    }

    /** Asked for CUDA, or left to choose on a node whose NVIDIA device is mounted into the container. */
    static boolean gpuLikely(String device) {
        return device.startsWith("cuda") || device.equals("auto") && Files.exists(Path.of("/dev/nvidiactl"));
    }

    /** Model path → the served name and the chat graph file named for it. */
    static Map<String, Guess> guess(Map<String, String> settings) {
        Map<String, Guess> models = new LinkedHashMap<>();
        settings.forEach((key, path) -> {
            if (key.startsWith("quiver.models.") && key.endsWith(".path")) {
                String prefix = key.substring(0, key.length() - "path".length());
                models.putIfAbsent(path, new Guess(prefix.substring("quiver.models.".length(), prefix.length() - 1),
                        settings.get(prefix + "onnx-file")));
            }
        });
        if (models.isEmpty()) {
            ModelSpec.DEFAULTS.forEach((name, path) -> models.put(path, new Guess(name, null)));
        }
        return models;
    }

    private static Loaded load(String path, Guess guess, Path cacheDir) {
        // As in the registry, the load is timed from its files being in place (an embedded model unpacks once).
        Path folder = EmbeddedModels.isEmbedded(path) ? EmbeddedModels.materialize(path, cacheDir) : Path.of(path);
        ModelKind kind = ModelKind.detect(folder);
        try (LoadLog log = LoadLog.loading(guess.name(), path, kind, folder, guess.onnxFile(), "preload from main")) {
            long t0 = log.start();
            AutoCloseable model = switch (kind) {
                case EMBEDDING, CLASSIFIER, RERANKER -> EncoderModel.load(folder, kind, Placement.CPU);
                case CHAT -> ChatModel.open(folder, Placement.CPU, guess.onnxFile());
                case DIFFUSION -> DiffusionPipeline.load(folder, Placement.CPU);
            };
            long loaded = System.nanoTime();
            switch (model) {
                case EncoderModel encoder -> encoder.warmUp(1);
                case DiffusionPipeline pipeline -> pipeline.warmUp();
                default -> {
                    return new Loaded(model, kind, t0, loaded - t0, 0);
                }
            }
            WARM.add(model);
            long warmed = System.nanoTime();
            log.warm(loaded - t0, warmed - loaded, Placement.CPU);
            return new Loaded(model, kind, t0, loaded - t0, warmed - loaded);
        }
    }

    /**
     * The preloaded model for a configured one, when one was started for the same path, kind and placement and
     * {@code fits} the model's options; waits for it to finish. Empty when there is none or it failed (the caller
     * then loads it itself).
     */
    static <T extends AutoCloseable> Optional<T> take(String path, ModelKind kind, Placement placement,
                                                      Class<T> type, Predicate<T> fits) {
        CompletableFuture<Loaded> future = placement.onGpu() ? null : LOADING.remove(path);
        if (future == null) {
            return Optional.empty();
        }
        try {
            Loaded loaded = future.get();
            if (loaded.kind() != kind || !type.isInstance(loaded.model()) || !fits.test(type.cast(loaded.model()))) {
                close(loaded);
                return Optional.empty();
            }
            CLAIMED.put(loaded.model(), loaded);
            return Optional.of(type.cast(loaded.model()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            LOG.debugf(e.getCause(), "preload of %s failed; loading it again", path);
            return Optional.empty();
        }
    }

    /** Waits for a preload of this path, if one runs, so that nobody unpacks the same files beside it. */
    static void await(String path) {
        CompletableFuture<Loaded> future = LOADING.get(path);
        if (future != null) {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // take() reports it
            }
        }
    }

    /** What the preload of a claimed model cost, if it was preloaded. */
    static Optional<Loaded> claimed(Object model) {
        return Optional.ofNullable(CLAIMED.get(model));
    }

    /** Whether the model was already warmed by the preload. */
    static boolean warm(Object engine) {
        return WARM.contains(engine);
    }

    /** Closes every preloaded model that the configuration did not ask for. */
    static void discardUnclaimed() {
        LOADING.values().forEach(f -> f.thenAccept(Preload::close));
        LOADING.clear();
    }

    private static void close(Loaded loaded) {
        if (loaded != null) {
            WARM.remove(loaded.model());
            CLAIMED.remove(loaded.model());
            try {
                loaded.model().close();
            } catch (Exception e) {
                LOG.debugf(e, "closing an unclaimed preload");
            }
        }
    }
}
