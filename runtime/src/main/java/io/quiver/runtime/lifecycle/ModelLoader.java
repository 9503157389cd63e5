package io.quiver.runtime.lifecycle;

import io.quiver.gpu.Placement;
import io.quiver.gpu.SessionOptionsFactory;
import io.quiver.models.EmbeddedModels;
import io.quiver.models.GraphCache;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.ChatModel;
import io.quiver.models.chat.ChatOptions;
import io.quiver.models.chat.GenerationRequest;
import io.quiver.models.chat.GrammarLimits;
import io.quiver.models.chat.SamplingParams;
import io.quiver.models.diffusion.DiffusionPipeline;
import io.quiver.models.diffusion.DiffusionWorker;
import io.quiver.models.encoder.EncoderBatcher;
import io.quiver.models.encoder.EncoderModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** Turns a {@link ModelSpec} into a loaded, warmed engine: the only place that knows each family's loader. */
final class ModelLoader {
    /** Stack for threads that load models: native graph loading runs deeper than a default thread stack. */
    static final long STACK_BYTES = 16L << 20;

    private final Path cacheDir;
    private final int podCap;
    private final int imageWork;
    private final Duration queueTimeout;
    private final GrammarLimits grammars;

    /**
     * {@code queueTimeout}: the pod's, which also bounds the wait for a chat batch row or the diffusion worker;
     * {@code grammars}: what each chat model's structured-output grammars may cost.
     */
    ModelLoader(Path cacheDir, int podCap, int imageWork, Duration queueTimeout, GrammarLimits grammars) {
        this.cacheDir = cacheDir;
        this.podCap = podCap;
        this.imageWork = imageWork;
        this.queueTimeout = queueTimeout;
        this.grammars = grammars;
    }

    /**
     * The process-wide ONNX Runtime settings, for every session this process opens from now on: the optimised-graph
     * cache under the cache folder ({@code quiver.graph-cache}) and whether CPU sessions' idle threads busy-wait
     * ({@code quiver.cpu.spin-wait}).
     */
    static void configureSessions(Path cacheDir, String graphCache, boolean spinWait) {
        GraphCache.configure(cacheDir.resolve("graphs"), GraphCache.parse(graphCache));
        SessionOptionsFactory.spinWait(spinWait);
    }

    /**
     * A served engine and what loading it really cost: {@code startNanos} ({@link System#nanoTime}) when its load
     * started (in the preload from main, or here), {@code loadNanos} the load itself (a preload's, plus building
     * the engine on it; never the wait for a preload), {@code warmNanos} the warm-up once {@link #warmUp} ran.
     */
    record Loaded(AutoCloseable engine, long startNanos, long loadNanos, long warmNanos, boolean preloaded,
                  LoadLog log) {
    }

    /** The model's folder, once a preload of the same path (if one runs) is done with it. */
    Path folder(ModelSpec spec) {
        Preload.await(spec.path());
        return EmbeddedModels.isEmbedded(spec.path())
                ? EmbeddedModels.materialize(spec.path(), cacheDir)
                : Path.of(spec.path());
    }

    ModelKind kind(ModelSpec spec, Path folder) {
        return spec.kind().orElseGet(() -> ModelKind.detect(folder));
    }

    /** Takes the model's preload when it fits, else loads it here; either way logs and times the real load. */
    Loaded load(ModelSpec spec, Path folder, ModelKind kind, Placement placement) {
        return switch (kind) {
            case EMBEDDING, CLASSIFIER, RERANKER -> {
                Optional<EncoderModel> preloaded = Preload.take(spec.path(), kind, placement, EncoderModel.class,
                        any -> true);
                yield timed(spec, folder, kind, placement, preloaded, model -> new EncoderBatcher(model, spec.name(),
                        spec.maxBatch(), spec.maxBatchDelay(), spec.concurrentBatches()),
                        () -> EncoderModel.load(folder, kind, placement));
            }
            case CHAT -> {
                ChatOptions options = new ChatOptions(podCap, spec.onnxFile().orElse(null),
                        spec.chatTemplate().orElse(null), spec.reasoning(), spec.contextLength(), queueTimeout,
                        new ChatOptions.CacheOptions(spec.prefillChunk(), spec.prefillStall(), spec.kvCacheBytes(),
                                spec.prefixCaching()),
                        grammars, spec.maxAdapters());
                Optional<ChatModel> preloaded = Preload.take(spec.path(), kind, placement, ChatModel.class,
                        model -> model.opened(options.onnxFile()));
                yield timed(spec, folder, kind, placement, preloaded,
                        model -> withAdapters(ChatEngine.start(model, options), spec, folder),
                        () -> ChatModel.open(folder, placement, options.onnxFile()));
            }
            case DIFFUSION -> {
                Optional<DiffusionPipeline> preloaded = Preload.take(spec.path(), kind, placement,
                        DiffusionPipeline.class, any -> true);
                yield timed(spec, folder, kind, placement, preloaded, pipeline -> {
                    pipeline.limitWork(imageWork);
                    return new DiffusionWorker(pipeline, spec.name(), queueTimeout);
                }, () -> DiffusionPipeline.load(folder, placement));
            }
        };
    }

    /** Loads the adapters the model's settings name; one that cannot load fails the model's load. */
    private static ChatEngine withAdapters(ChatEngine engine, ModelSpec spec, Path folder) {
        try {
            spec.adapters().forEach((name, file) -> engine.adapters().load(name, adapterFile(folder, file), false));
            return engine;
        } catch (RuntimeException e) {
            engine.close();
            throw new IllegalStateException("model " + spec.name() + ": LoRA adapter: " + e.getMessage(), e);
        }
    }

    /** An adapter's file: absolute, or relative to the model's folder. */
    static Path adapterFile(Path folder, String file) {
        return folder.resolve(file);
    }

    private <M> Loaded timed(ModelSpec spec, Path folder, ModelKind kind, Placement placement, Optional<M> preloaded,
                             Function<M, AutoCloseable> engine, Supplier<M> load) {
        long t0 = System.nanoTime();
        if (preloaded.isPresent()) {
            M model = preloaded.get();
            Preload.Loaded pre = Preload.claimed(model).orElseThrow();
            AutoCloseable built = engine.apply(model);
            if (Preload.warm(model)) {
                // Loaded and warmed in the preload, whose log said so; what wraps it here (a batcher, a worker
                // thread) is no part of loading.
                return new Loaded(built, pre.startNanos(), pre.loadNanos(), pre.warmNanos(), true, null);
            }
            // A chat model opened in the preload: starting its engine here is part of its load; warmed next.
            long started = System.nanoTime();
            return new Loaded(built, pre.startNanos(), pre.loadNanos() + started - t0, -1, true,
                    LoadLog.resumed(spec.name(), pre.startNanos()).phases(parts(model, started - t0)));
        }
        LoadLog log = LoadLog.loading(spec.name(), spec.path(), kind, folder, spec.onnxFile().orElse(null),
                "on " + placement);
        try {
            M model = load.get();
            long opened = System.nanoTime();
            AutoCloseable built = engine.apply(model);
            log.phases(parts(model, System.nanoTime() - opened));
            return new Loaded(built, log.start(), System.nanoTime() - log.start(), -1, false, log);
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** A load's parts in ms: a chat model's open ({@link ChatModel.OpenTimes}), then starting its engine. */
    private static Map<String, Long> parts(Object model, long engineNanos) {
        Map<String, Long> ms = new LinkedHashMap<>();
        if (model instanceof ChatModel chat) {
            ms.putAll(chat.openTimes().millis());
        }
        ms.put("engine", engineNanos / 1_000_000);
        return ms;
    }

    /** Runs the largest single input and a full batch once, so the first real request pays no first-run costs. */
    Loaded warmUp(Loaded loaded) {
        if (loaded.warmNanos() >= 0) {
            return loaded;
        }
        long t0 = System.nanoTime();
        try {
            switch (loaded.engine()) {
                case EncoderBatcher encoder -> encoder.model().warmUp(1);
                // One short prefill: ONNX Runtime's first run (arena, kernel choice) and the sampling path's
                // first calls. A decode step more costs a large model as much again and saves the first request
                // little.
                case ChatEngine chat -> chat.generate(GenerationRequest.of(chat.encode("Hello"),
                        SamplingParams.greedy(), 1).withIgnoreEos(true));
                case DiffusionWorker diffusion -> diffusion.pipeline().warmUp();
                default -> { }
            }
        } catch (RuntimeException e) {
            loaded.log().close();
            throw e;
        }
        return new Loaded(loaded.engine(), loaded.startNanos(), loaded.loadNanos(), System.nanoTime() - t0,
                loaded.preloaded(), loaded.log());
    }

    int podCap() {
        return podCap;
    }
}
