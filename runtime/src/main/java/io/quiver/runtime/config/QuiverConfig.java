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

/**
 * Every {@code quiver.*} setting (env {@code QUIVER_*}), with its allowed values in {@link Settings}. The javadoc of
 * each method is what docs/configuration.md says of the key: that page is generated from this file (see
 * ConfigurationPageTest), so write it for users.
 */
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

    /**
     * One log line per API request once answered: method, path, status, milliseconds and served model ({@code -}
     * when none), logger {@code io.quiver.access} ({@code POST /v1/embeddings 200 12 ms model all-minilm-l6-v2}).
     * Probes and scrapes are not logged.
     */
    @WithName("access-log")
    @WithDefault("false")
    boolean accessLog();

    /**
     * When set, inference routes need {@code Authorization: Bearer <key>}, compared in constant time; set but empty
     * fails the start. Open without it: exactly {@code /health}, {@code /metrics} and {@code /q/…}.
     */
    @WithName("api-key")
    Optional<String> apiKey();

    /** Largest request body accepted; larger ones get 413 (HTTP/2 bodies must declare their length: 411). */
    @WithName("max-body-size")
    @WithDefault("8M")
    io.quarkus.runtime.configuration.MemorySize maxBodySize();

    /**
     * The longest an admitted inference request may wait on its model; past it the work is cancelled and the
     * request answered: 504 {@code request_timeout}, or a stream that ends with finish_reason {@code abort} and
     * {@code [DONE]}.
     */
    @WithName("request-timeout")
    @WithDefault("10m")
    Duration requestTimeout();

    /**
     * Chat completions: the message field that carries an R1-style model's reasoning: {@code reasoning} (vLLM's name
     * since it dropped {@code reasoning_content}), {@code reasoning_content} (DeepSeek's original name, which
     * llama-server keeps) or {@code both}.
     */
    @WithName("reasoning-field")
    @WithDefault("reasoning")
    String reasoningField();

    /** Where models run: {@code auto} (a GPU when one is present), {@code cpu}, {@code cuda} or {@code cuda:N}. */
    @WithDefault("auto")
    String device();

    /**
     * Where embedded models and ONNX Runtime's native libraries are unpacked once, and optimised graphs kept, for
     * later starts. Created private (0700); one that is a link, another user's (root's is trusted) or writable by
     * group or others stops the start with one line. One this process cannot write (root's folder baked into an
     * image, a read-only root file system) serves what it holds, and an embedded model it lacks is copied to
     * {@code ${java.io.tmpdir}/quiver-cache-<uid>} instead. A copy is reused only while it is private and has the
     * size and CRC-32 its jar records, else copied again.
     */
    @WithName("cache-dir")
    @WithDefault("${java.io.tmpdir}/quiver-${user.name}")
    String cacheDir();

    /**
     * ONNX Runtime's optimised chat and diffusion graphs under {@code <cache-dir>/graphs}: {@code auto} (4-bit
     * graphs only, read and written: there the cache pays; a float graph's entry is as large as the graph),
     * {@code read-write} (every graph: the first start writes them, later starts load them with graph optimisation
     * off), {@code read-only} (a cache filled at image build; nothing written) or {@code off}. An entry is keyed by
     * the graph and its external data (path, size, modification time), the ONNX Runtime version, the device and the
     * CPU type, so a changed model or runtime misses it and its new entry replaces the old one; an entry the runtime
     * refuses is deleted and the graph opened as usual. A 4-bit graph's entry keeps MatMulNBits' packed weights
     * too.
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
        String PREFILL_STALL = "1.0";
        String PREFIX_CACHING = "true";
        String MAX_ADAPTERS = "8";

        /**
         * A model folder, or {@code embedded:<name>} for one shipped inside the application. Configuring any model
         * replaces the embedded defaults.
         */
        String path();

        /** What the model serves; detected from the folder when absent. */
        Optional<ModelKind> kind();

        /** Encoders: most inputs in one ONNX Runtime batch (a chat model's batch has a row per slot of the cap). */
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

        /**
         * Encoders: batches that run at once on the model's one session, each on its own thread (a second one fills
         * the cores a small encoder's operators leave idle).
         */
        @WithName("concurrent-batches")
        @WithDefault(CONCURRENT_BATCHES)
        int concurrentBatches();

        /**
         * Chat: the graph to load, under {@code onnx/} or at the top, by file name or by dtype as transformers.js
         * names them ({@code fp32}, {@code fp16}, {@code int8}, {@code uint8}, {@code q8}, {@code q4},
         * {@code q4f16}, {@code bnb4}). Absent: {@code model.onnx}, or the graph {@code genai_config.json} names.
         */
        @WithName("onnx-file")
        Optional<String> onnxFile();

        /**
         * Chat: tokens per sequence (prompt + completion); lower it to bound KV-cache memory. Absent:
         * {@code max_position_embeddings}, or {@code genai_config.json}'s context (a larger value is refused there).
         */
        @WithName("context-length")
        OptionalInt contextLength();

        /** Chat: a Jinja chat template that replaces the folder's ({@code tokenizer_config.json}'s). */
        @WithName("chat-template")
        Optional<String> chatTemplate();

        /**
         * Chat: prompt tokens prefilled per engine step while no stream decodes, and the most a step takes while
         * streams do ({@code prefill-stall}); larger prefills a lone prompt faster.
         */
        @WithName("prefill-chunk")
        @WithDefault(PREFILL_CHUNK)
        int prefillChunk();

        /**
         * Chat: while streams decode, the longest an engine step's prompt chunks may take, as a multiple of a plain
         * decode step; the chunk shrinks to fit (down to 16 tokens), so a joining long prompt slows each running
         * stream's token by at most this factor plus one. 0 prefills {@code prefill-chunk} tokens every step.
         */
        @WithName("prefill-stall")
        @WithDefault(PREFILL_STALL)
        double prefillStall();

        /**
         * Chat, GroupQueryAttention graphs on the CPU: the size of the KV cache written in place ({@code 8G},
         * {@code 512M}); when it cannot hold a row per slot of the cap ({@code quiver.concurrency.max}) at the full
         * context, each row gets fewer positions and that is the context served. Absent: the full context for every
         * row, within a quarter of the pod's memory.
         */
        @WithName("kv-cache-size")
        Optional<io.quarkus.runtime.configuration.MemorySize> kvCacheSize();

        /**
         * Chat, KV cache written in place: a prompt reuses the longest prefix an idle row's cache still holds
         * (llama-server's {@code cache_prompt}) and prefills only the rest.
         */
        @WithName("prefix-caching")
        @WithDefault(PREFIX_CACHING)
        boolean prefixCaching();

        /**
         * Chat: split {@code <think>…</think>} into the message's reasoning ({@code quiver.reasoning-field}); off, all
         * text is content.
         */
        @WithDefault(REASONING)
        boolean reasoning();

        /**
         * Chat: LoRA adapters loaded at start, as comma-separated {@code name=file} pairs (vLLM's
         * {@code --lora-modules}): {@code .onnx_adapter} files, a relative path taken from the model's folder. A
         * request names one as its {@code model}, by itself or as {@code <model>:<adapter>}. Needs the KV cache
         * written in place (a GroupQueryAttention graph on the CPU) and a graph whose LoRA weights are inputs.
         */
        Optional<String> adapters();

        /** Chat: LoRA adapters loaded at once at most, those loaded at start and through the API together. */
        @WithName("max-adapters")
        @WithDefault(MAX_ADAPTERS)
        int maxAdapters();
    }

    interface Concurrency {
        /**
         * Inference work executing at once in this pod, in slots: a request takes one per batch row it runs.
         * Set equal to Knative's {@code containerConcurrency}. Also each chat model's batch rows.
         */
        @WithDefault("8")
        int max();

        /** Requests that may wait for a slot; 10 × max when absent, as Knative's queue-proxy does. */
        OptionalInt queue();

        /**
         * The longest a request waits for a slot, and, once admitted, for a chat model's batch row or a diffusion
         * model's worker; then 503 {@code queue_timeout}.
         */
        @WithName("queue-timeout")
        @WithDefault("30s")
        Duration queueTimeout();

        /** Status for a request turned away past the cap and the queue: 503 or 429. */
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

        /**
         * Fraction of the budget source to use; 0.90 when absent. Set, it is also a budget source itself: that
         * fraction of the whole card.
         */
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
        /**
         * Most work one image request may ask for: n × pixels × steps, counted in denoising steps of one image at the
         * UNet's native size (400 past it).
         */
        @WithName("max-native-steps")
        @WithDefault("500")
        int maxNativeSteps();
    }

    interface Stream {
        /**
         * A streamed response sends an SSE comment ({@code : keep-alive}) when nothing else was sent for this long
         * (long prefills, long silent reasoning).
         */
        @WithName("keep-alive")
        @WithDefault("5s")
        Duration keepAlive();

        /**
         * Deltas a stream holds for a client that reads more slowly than the model generates; one more and the
         * stream is aborted (its generation cancelled, its connection reset, its slot freed;
         * {@code quiver_streams_aborted_total{reason="buffer_full"}}).
         */
        @WithDefault("512")
        int buffer();

        /**
         * A stream whose client has taken nothing for this long while a write waits is aborted likewise
         * ({@code reason="stalled"}).
         */
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
        /**
         * After SIGTERM, how long in-flight requests (streams included) may take to finish; then what still runs is
         * cancelled and answered ({@code abort}), for up to 2 s more, and the process exits.
         */
        @WithDefault("30s")
        Duration grace();
    }
}
