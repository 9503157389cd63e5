package io.quiver.runtime.lifecycle;

import io.quiver.gpu.Placement;
import io.quiver.models.EmbeddedModels;
import io.quiver.models.GraphCache;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.ChatModel;
import io.quiver.models.chat.ChatOptions;
import io.quiver.models.chat.GenerationRequest;
import io.quiver.models.chat.SamplingParams;
import io.quiver.models.diffusion.DiffusionPipeline;
import io.quiver.models.diffusion.DiffusionWorker;
import io.quiver.models.encoder.EncoderBatcher;
import io.quiver.models.encoder.EncoderModel;
import java.nio.file.Path;
import java.time.Duration;

/** Turns a {@link ModelSpec} into a loaded, warmed engine: the only place that knows each family's loader. */
final class ModelLoader {
    /** Stack for threads that load models: native graph loading runs deeper than a default thread stack. */
    static final long STACK_BYTES = 16L << 20;

    private final Path cacheDir;
    private final int podCap;
    private final int imageWork;
    private final Duration queueTimeout;

    /** {@code queueTimeout}: the pod's, which also bounds the wait for a chat batch row or the diffusion worker. */
    ModelLoader(Path cacheDir, int podCap, int imageWork, Duration queueTimeout) {
        this.cacheDir = cacheDir;
        this.podCap = podCap;
        this.imageWork = imageWork;
        this.queueTimeout = queueTimeout;
    }

    /** The optimised-graph cache under the cache folder, for every graph this process opens from now on. */
    static void useGraphCache(Path cacheDir, String mode) {
        GraphCache.configure(cacheDir.resolve("graphs"), GraphCache.parse(mode));
    }

    Path folder(ModelSpec spec) {
        Preload.await(spec.path());
        return EmbeddedModels.isEmbedded(spec.path())
                ? EmbeddedModels.materialize(spec.path(), cacheDir)
                : Path.of(spec.path());
    }

    ModelKind kind(ModelSpec spec, Path folder) {
        return spec.kind().orElseGet(() -> ModelKind.detect(folder));
    }

    AutoCloseable load(ModelSpec spec, Path folder, ModelKind kind, Placement placement) {
        return switch (kind) {
            case EMBEDDING, CLASSIFIER, RERANKER -> new EncoderBatcher(Preload.take(spec.path(), kind, placement,
                    EncoderModel.class, any -> true).orElseGet(() -> EncoderModel.load(folder, kind, placement)),
                    spec.name(), spec.maxBatch(), spec.maxBatchDelay(), spec.concurrentBatches());
            case CHAT -> {
                ChatOptions options = new ChatOptions(podCap, spec.onnxFile().orElse(null),
                        spec.chatTemplate().orElse(null), spec.reasoning(), spec.contextLength(), queueTimeout);
                yield ChatEngine.start(Preload.take(spec.path(), kind, placement, ChatModel.class,
                        model -> model.opened(options.onnxFile()))
                        .orElseGet(() -> ChatModel.open(folder, placement, options.onnxFile())), options);
            }
            case DIFFUSION -> {
                DiffusionPipeline pipeline = Preload.take(spec.path(), kind, placement, DiffusionPipeline.class,
                        any -> true).orElseGet(() -> DiffusionPipeline.load(folder, placement));
                pipeline.limitWork(imageWork);
                yield new DiffusionWorker(pipeline, spec.name(), queueTimeout);
            }
        };
    }

    /** Runs the largest single input and a full batch once, so the first real request pays no first-run costs. */
    void warmUp(AutoCloseable engine) {
        switch (engine) {
            case EncoderBatcher encoder -> {
                if (!Preload.warm(encoder.model())) {
                    encoder.model().warmUp(1);
                }
            }
            case ChatEngine chat -> chat.generate(GenerationRequest.of(chat.encode("Hello"), SamplingParams.greedy(), 2)
                    .withIgnoreEos(true));
            case DiffusionWorker diffusion -> {
                if (!Preload.warm(diffusion.pipeline())) {
                    diffusion.pipeline().warmUp();
                }
            }
            default -> { }
        }
    }

    int podCap() {
        return podCap;
    }
}
