package io.quiver.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quiver.gpu.DeviceChoice;
import io.quiver.gpu.GpuUsage;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.EngineStats;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.Supplier;

/**
 * The one place that names Quiver's meters ({@code quiver.*}, exported as {@code quiver_*}). Latency histograms
 * share {@link #LATENCY_BUCKETS}: fine enough for millisecond encoder calls, wide enough for minute-long generations.
 */
@ApplicationScoped
public class QuiverMetrics {
    /** 1 ms … 10 min, roughly ×2.5 per step. */
    public static final Duration[] LATENCY_BUCKETS = buckets(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
            1, 2.5, 5, 10, 30, 60, 120, 300, 600);

    /** Batch sizes up to 256 sequences, in powers of two. */
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256};

    private final MeterRegistry registry;

    public QuiverMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Why admission turns a request away: the {@code reason} label of {@code quiver_requests_rejected_total}. */
    public static final List<String> REJECT_REASONS = List.of("queue_full", "queue_timeout", "draining",
            "client_gone");

    public void request(String route, String model, int status, long nanos) {
        requests(route, model, status).increment();
        latency("quiver.request", "End-to-end request latency", Tags.of("route", route, "model", model))
                .record(Duration.ofNanos(nanos));
    }

    private Counter requests(String route, String model, int status) {
        return Counter.builder("quiver.requests").description("Inference requests by route and final status")
                .tags(Tags.of("route", route, "model", model, "status", String.valueOf(status))).register(registry);
    }

    /**
     * The routes that serve a kind of model, as their {@code route} label reads ({@code events} serves every kind).
     */
    public static List<String> routes(ModelKind kind) {
        return switch (kind) {
            case CHAT -> List.of("chat", "completions", "messages", "events");
            case EMBEDDING -> List.of("embeddings", "embed", "events");
            case CLASSIFIER -> List.of("predict", "events");
            case RERANKER -> List.of("predict", "rerank", "events");
            case DIFFUSION -> List.of("images", "events");
        };
    }

    /**
     * Registers at 0, for a model now served, every counter that alerts and autoscalers divide or rate: its
     * requests by route for success, server error and refusal, its refusals by reason, its end-to-end latency and,
     * for a chat model, its token, stream-abort and latency meters. A series that only appeared with its first event
     * would make {@code rate()} and ratios blind to that first event, and absent() alerts fire on a healthy pod.
     */
    public void served(String model, ModelKind kind, int rejectStatus) {
        for (String route : routes(kind)) {
            for (int status : new int[] {200, 500, rejectStatus}) {
                requests(route, model, status);
            }
            latency("quiver.request", "End-to-end request latency", Tags.of("route", route, "model", model));
        }
        REJECT_REASONS.forEach(reason -> rejections(model, reason));
        latency("quiver.request.queue", "Time waiting for a slot under the pod cap", Tags.of("model", model));
        if (kind == ModelKind.CHAT) {
            generation(model);
        }
    }

    /** CloudEvents by request type ("unknown" for types Quiver does not serve, "invalid" if unreadable) and status. */
    public void event(String type, int status) {
        Counter.builder("quiver.events").description("CloudEvents received, by type and final status")
                .tags("type", type, "status", String.valueOf(status)).register(registry).increment();
    }

    public void rejected(String model, String reason) {
        rejections(model, reason).increment();
    }

    private Counter rejections(String model, String reason) {
        return Counter.builder("quiver.requests.rejected").description("Requests turned away before running")
                .tags("model", model, "reason", reason).register(registry);
    }

    public void queued(String model, long nanos) {
        latency("quiver.request.queue", "Time waiting for a slot under the pod cap", Tags.of("model", model))
                .record(Duration.ofNanos(nanos));
    }

    /** Meters an engine feeds on its own: the chat batch and KV cache. */
    public void engine(String model, Object engine) {
        if (engine instanceof ChatEngine chat) {
            Tags tags = Tags.of("model", model);
            gauge("quiver.kv.cache.usage.ratio", "KV-cache positions held by running sequences over capacity "
                    + "(rows × positions each)", tags, chat::kvCacheUsage);
            FunctionCounter.builder("quiver.prefix.cache.queries", chat.stats(), EngineStats::prefixQueryTokens)
                    .description("Prompt tokens looked up in the prefix cache").baseUnit("tokens").tags(tags)
                    .register(registry);
            FunctionCounter.builder("quiver.prefix.cache.hits", chat.stats(), EngineStats::prefixHitTokens)
                    .description("Prompt tokens found in the prefix cache (not prefilled again)").baseUnit("tokens")
                    .tags(tags).register(registry);
            DistributionSummary batch = summary("quiver.batch.size", "Sequences in each decode step", tags,
                    BATCH_BUCKETS);
            chat.observeSteps(batch::record);
            gauge("quiver.grammar.cache.bytes", "Bytes the model's compiled structured-output grammars hold "
                    + "(quiver.structured-outputs.cache-size)", tags, () -> chat.grammars().cachedBytes());
            gauge("quiver.grammar.compiling", "Structured-output grammars compiling or waiting to", tags,
                    () -> chat.grammars().compiling());
        }
    }

    /**
     * The device and its budget, and per model the GPU-seconds a cost dashboard needs: busy time × this pod's
     * share of the card (budget / card memory). Only when a GPU is in use: on the CPU there are no
     * {@code quiver_gpu_*} series at all, rather than zeros a dashboard would read as an idle card.
     */
    public void gpu(DeviceChoice choice, GpuUsage usage, Collection<String> models, ToDoubleFunction<String> busy) {
        if (choice.device().isEmpty()) {
            return;
        }
        gauge("quiver.gpu.memory.budget.bytes", "GPU memory this pod may use", Tags.empty(), choice::budgetBytes);
        gauge("quiver.gpu.memory.used.bytes", "GPU memory in use on the device", Tags.empty(), usage::usedBytes);
        choice.device().ifPresent(d -> gauge("quiver.gpu.info", "The GPU in use", Tags.of("device", "cuda:"
                + d.index(), "name", d.name(), "budget_source", choice.budget().orElseThrow().source().name()
                .toLowerCase()), () -> 1));
        for (String model : models) {
            FunctionCounter.builder("quiver.gpu.seconds", model, m -> usage.gpuSeconds(busy.applyAsDouble(m)))
                    .description("GPU-seconds used: busy time × the pod's share of the card")
                    .tags("model", model).register(registry);
        }
    }

    public GenerationMeters generation(String model) {
        return GenerationMeters.of(this, model);
    }

    /** A latency histogram for an engine-level measure (time to first token, inter-token latency, image time). */
    public Timer latency(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
    }

    public Counter counter(String name, String description, Tags tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    public DistributionSummary summary(String name, String description, Tags tags, double... buckets) {
        return DistributionSummary.builder(name).description(description).tags(tags).serviceLevelObjectives(buckets)
                .register(registry);
    }

    public void gauge(String name, String description, Tags tags, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).tags(tags).register(registry);
    }

    private static Duration[] buckets(double... seconds) {
        Duration[] out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            out[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
        }
        return out;
    }
}
