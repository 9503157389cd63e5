package io.quiver.runtime.config;

import io.quiver.models.ModelKind;
import io.quiver.models.chat.GrammarLimits;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Every {@code quiver.*} setting (env {@code QUIVER_*}); the README's configuration table mirrors this file. */
@ConfigMapping(prefix = "quiver")
public interface QuiverConfig {

    /** The models this process serves, by served name. Empty: the embedded defaults. */
    Map<String, Model> models();

    Concurrency concurrency();

    Shutdown shutdown();

    Stream stream();

    Gpu gpu();

    Cpu cpu();

    Images images();

    Events events();

    @WithName("structured-outputs")
    StructuredOutputs structuredOutputs();

    /** One log line per API request (method, path, status, duration, model), logger {@code io.quiver.access}. */
    @WithName("access-log")
    @WithDefault("false")
    boolean accessLog();

    /** When set, inference routes need {@code Authorization: Bearer <key>}. */
    @WithName("api-key")
    Optional<String> apiKey();

    /** Largest request body accepted; larger ones get 413. */
    @WithName("max-body-size")
    @WithDefault("8M")
    io.quarkus.runtime.configuration.MemorySize maxBodySize();

    /**
     * The longest an admitted inference request may wait on its model; past it the work is cancelled (a 504, or a
     * stream that ends with finish_reason abort).
     */
    @WithName("request-timeout")
    @WithDefault("10m")
    Duration requestTimeout();

    /** auto | cpu | cuda | cuda:N */
    @WithDefault("auto")
    String device();

    /**
     * Where embedded models and ONNX Runtime's native libraries are unpacked once, and optimised graphs kept, for
     * later starts. Created private (0700); one that another user owns, or that group or others can write, stops
     * the start (see {@link io.quiver.models.CacheFolder}).
     */
    @WithName("cache-dir")
    @WithDefault("${java.io.tmpdir}/quiver-${user.name}")
    String cacheDir();

    /**
     * ONNX Runtime's optimised chat and diffusion graphs under {@code <cache-dir>/graphs}: auto (default: 4-bit
     * graphs, read and written), read-write (every graph; the first start writes them), read-only (a cache filled
     * at image build) or off.
     */
    @WithName("graph-cache")
    @WithDefault("auto")
    String graphCache();

    interface Model {
        // Defaults, also given to the embedded default models, which have no configuration entries.
        String MAX_BATCH = "32";
        String MAX_BATCH_DELAY = "0ms";
        String CONCURRENT_BATCHES = "2";
        String REASONING = "true";
        String PREFILL_CHUNK = "256";
        String PREFIX_CACHING = "true";

        /** A model folder, or {@code embedded:<name>} for one shipped inside the application. */
        String path();

        /** Detected from the folder when absent. */
        Optional<ModelKind> kind();

        /** Encoders: most inputs in one ONNX Runtime batch. */
        @WithName("max-batch")
        @WithDefault(MAX_BATCH)
        int maxBatch();

        /**
         * Encoders: how long the first request of a batch waits for company. By default none: what arrives while a
         * batch runs makes the next one, and a lone request does not wait.
         */
        @WithName("max-batch-delay")
        @WithDefault(MAX_BATCH_DELAY)
        Duration maxBatchDelay();

        /** Encoders: batches that run at once on the model's one session, each on its own thread. */
        @WithName("concurrent-batches")
        @WithDefault(CONCURRENT_BATCHES)
        int concurrentBatches();

        /** Chat: the graph under onnx/ to load (model.onnx, model_fp16.onnx, model_q4.onnx, ...). */
        @WithName("onnx-file")
        Optional<String> onnxFile();

        /** Chat: context length override; the config's max_position_embeddings when absent. */
        @WithName("context-length")
        OptionalInt contextLength();

        /** Chat: a Jinja chat template that replaces the folder's. */
        @WithName("chat-template")
        Optional<String> chatTemplate();

        /**
         * Chat: prompt tokens prefilled per engine step, between the running streams' decode steps; smaller keeps
         * their inter-token latency steadier while long prompts join, larger prefills a lone prompt faster.
         */
        @WithName("prefill-chunk")
        @WithDefault(PREFILL_CHUNK)
        int prefillChunk();

        /**
         * Chat, GroupQueryAttention graphs on the CPU: the size of the KV cache written in place (8Gi, 512Mi); when
         * it cannot hold max-batch rows at the full context, each row gets fewer positions and that is the context
         * served. Absent: full context for every row, within a quarter of the pod's memory.
         */
        @WithName("kv-cache-size")
        Optional<io.quarkus.runtime.configuration.MemorySize> kvCacheSize();

        /** Chat: a prompt reuses the longest prefix an idle row's cache still holds (llama-server's cache_prompt). */
        @WithName("prefix-caching")
        @WithDefault(PREFIX_CACHING)
        boolean prefixCaching();

        /** Chat: split {@code <think>…</think>} into {@code reasoning_content}. */
        @WithDefault(REASONING)
        boolean reasoning();
    }

    interface Concurrency {
        /** Inference requests executing at once in this pod; set equal to Knative's containerConcurrency. */
        @WithDefault("8")
        int max();

        /** Requests that may wait for a slot; 10 × max when absent, as Knative's queue-proxy does. */
        OptionalInt queue();

        /** The longest a request waits for a slot before it is turned away. */
        @WithName("queue-timeout")
        @WithDefault("30s")
        Duration queueTimeout();

        /** Status for a turned-away request: 503 (default) or 429. */
        @WithName("reject-status")
        @WithDefault("503")
        int rejectStatus();

        /** Window of the time-weighted average in-flight gauge {@code quiver_concurrency_average}. */
        @WithName("average-window")
        @WithDefault("60s")
        Duration averageWindow();

        default int queueSize() {
            return queue().orElse(10 * max());
        }
    }

    interface Gpu {
        /** GPU memory this pod may use ({@code 8Gi}, {@code 8192Mi}, bytes); first among the budget sources. */
        @WithName("memory-budget")
        Optional<String> memoryBudget();

        /** Fraction of the budget source to use; 0.90 when absent. */
        @WithName("memory-utilization")
        Optional<Double> memoryUtilization();

        /** Kept free for the CUDA context and workspace. */
        @WithName("memory-reserve")
        @WithDefault("256Mi")
        String memoryReserve();

        /** {@code fail}: exit before ready when a model does not fit; {@code cpu}: run it on the CPU instead. */
        @WithName("on-insufficient-memory")
        @WithDefault("fail")
        String onInsufficientMemory();
    }

    interface Cpu {
        /**
         * Whether ONNX Runtime's idle intra-op threads busy-wait for the next parallel section instead of sleeping:
         * faster steps for a pod's one busy model, CPU taken from HTTP and the other models when it is not busy.
         */
        @WithName("spin-wait")
        @WithDefault("false")
        boolean spinWait();
    }

    interface Images {
        /** Most work one image request may ask for: n × pixels × steps, in steps of one native-size image. */
        @WithName("max-native-steps")
        @WithDefault("500")
        int maxNativeSteps();
    }

    interface Stream {
        /** A streamed response sends an SSE comment when nothing else was sent for this long (long prefills). */
        @WithName("keep-alive")
        @WithDefault("5s")
        Duration keepAlive();

        /**
         * Deltas a stream holds for a client that reads more slowly than the model generates; one more and the
         * stream is aborted (its generation cancelled, its connection reset, its slot freed).
         */
        @WithDefault("512")
        int buffer();

        /** A stream whose client has taken nothing for this long while a write waits is aborted likewise. */
        @WithName("stall-timeout")
        @WithDefault("30s")
        Duration stallTimeout();
    }

    /** Who may deliver CloudEvents to {@code /events}. */
    enum EventsAuth {
        /** As every inference route: the bearer key when {@code quiver.api-key} is set. */
        API_KEY,
        /** Open, key or not: for a Broker that delivers without a key (keep the Service cluster-local). */
        NONE
    }

    interface Events {
        @WithDefault("api-key")
        EventsAuth auth();
    }

    /** What compiling a request's structured-output grammar (a schema, regex, choice or forced tool call) may cost. */
    interface StructuredOutputs {
        /** States a compiled grammar may have (those built on the way: 4 ×); past them the request gets a 400. */
        @WithName("max-states")
        @WithDefault("20000")
        int maxStates();

        /** The largest count a schema ({@code maxLength}, {@code maxItems}, …) or regex ({@code {n,m}}) may use. */
        @WithName("max-repeat")
        @WithDefault("4096")
        int maxRepeat();

        /** Bytes each chat model's compiled grammars may hold, their token sets counted as decoding makes them. */
        @WithName("cache-size")
        @WithDefault("128M")
        io.quarkus.runtime.configuration.MemorySize cacheSize();

        /** The longest one grammar may take to compile; past it the request gets a 400. */
        @WithName("compile-timeout")
        @WithDefault("10s")
        Duration compileTimeout();

        /** Threads per chat model that compile grammars, beside the request threads. */
        @WithName("compile-threads")
        @WithDefault("1")
        int compileThreads();

        default GrammarLimits limits() {
            return new GrammarLimits(maxStates(), maxRepeat(), cacheSize().asLongValue(), compileTimeout(),
                    compileThreads());
        }
    }

    interface Shutdown {
        /** After SIGTERM, how long in-flight requests (streams included) may take to finish. */
        @WithDefault("30s")
        Duration grace();
    }
}
