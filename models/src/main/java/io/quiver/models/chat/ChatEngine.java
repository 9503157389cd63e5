package io.quiver.models.chat;

import io.quiver.gpu.Placement;
import io.quiver.models.Engine;
import io.quiver.models.GraphSummary;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.ModelLoadException;
import io.quiver.models.TokenBudget;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * A chat model (DeepSeek-R1 family; onnxruntime-genai's model-builder export or the Optimum/transformers.js one)
 * served with continuous batching.
 * {@link #submit} is safe from any thread and never runs the model itself: one scheduler thread per engine owns the
 * batch, and listener callbacks run on it (they must be quick and non-blocking, see {@link GenerationListener}).
 */
public final class ChatEngine implements Engine {
    private final ChatModel model;
    private final ModelSpec spec;
    private final ChatOptions options;
    private final ChatTokenizer tokenizer;
    private final ChatTemplate template;
    private final DecoderSession decoder;
    private static final System.Logger LOG = System.getLogger(ChatEngine.class.getName());
    private final SlotTable slots;
    private final BatchScheduler scheduler;
    private final int contextLength;
    private final RequestCheck requests;
    private volatile TokenBytes vocabulary;
    private final Grammars grammars;
    private final LoraAdapters adapters;

    private ChatEngine(ChatModel model, ChatOptions options, ChatTemplate template, KvPlan kv) {
        this.model = model;
        this.spec = model.spec;
        this.options = options;
        this.tokenizer = model.tokenizer;
        this.template = template;
        this.decoder = model.decoder;
        this.contextLength = kv.capacity();
        this.slots = new SlotTable(options.maxBatch(), kv.capacity());
        StepExecutor executor = kv.inPlace()
                ? new SharedKvExecutor(decoder, slots, spec.vocabSize(), options.cache().prefillChunk())
                : new GrowingPastExecutor(decoder);
        // A decode step runs once per adapter group of rows, which the in-place cache's row order allows.
        this.adapters = new LoraAdapters(options.maxAdapters(), GraphSummary.read(decoder.file()).weightBytes(),
                kv.inPlace() ? null : "LoRA adapters need the KV cache written in place (a GroupQueryAttention "
                        + "graph on the CPU); here " + kv.why(), run -> decoder.probe(0, run));
        ChatOptions.CacheOptions cache = options.cache();
        this.scheduler = new BatchScheduler(executor, slots, new StepPlanner.Limits(cache.prefillChunk(),
                cache.prefillStall(), cache.prefixCaching() && executor.retainsCaches(), options.queueTimeout().toNanos()),
                model.folder.root().getFileName().toString());
        this.requests = new RequestCheck(contextLength, options.maxBatch(), spec.vocabSize(), adapters::contains,
                !decoder.lastPositionOnly);
        this.grammars = new Grammars(options.grammars(), model.folder.root().getFileName().toString(),
                this::vocabulary, spec.eosIds());
        LOG.log(System.Logger.Level.INFO, kv.describe(options.maxBatch(), decoder.file().getFileName()));
    }

    /** Loads config, generation config, tokenizer, template and the ONNX decoder from a Hugging Face-style folder. */
    public static ChatEngine load(Path folder, Placement placement, ChatOptions options) {
        return start(ChatModel.open(folder, placement, options.onnxFile()), options);
    }

    /**
     * Serves an opened model with these options; the engine owns the model from here on (and closes it if the
     * options do not fit it).
     */
    public static ChatEngine start(ChatModel model, ChatOptions options) {
        try {
            if (!model.opened(options.onnxFile())) {
                throw new IllegalArgumentException("the model was opened with another graph than "
                        + options.onnxFile());
            }
            ModelSpec spec = model.spec;
            String source = options.chatTemplate() != null ? options.chatTemplate() : spec.chatTemplate();
            if (source == null || source.isBlank()) {
                throw new ModelLoadException(model.folder.root().resolve("tokenizer_config.json"),
                        "no chat_template (set one in the model options)");
            }
            int context = options.contextLength() > 0 ? options.contextLength() : spec.maxPositions();
            if (model.genai != null && context > spec.maxPositions()) {
                // The builder bakes the rotary tables into the graph: no position past them can run.
                throw new ModelLoadException(model.genai.file(), "context length " + context + " is over the "
                        + "export's " + spec.maxPositions() + " (model.context_length, search.max_length)");
            }
            KvPlan kv = KvPlan.of(model, options, context);
            ChatTemplate template = new ChatTemplate(source, spec.bosToken(), spec.eosToken(),
                    TokenBudget.maxChars(kv.capacity()));
            return new ChatEngine(model, options, template, kv);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * The prompt text of a conversation, rendered with the chat template. Every message takes at least one token,
     * so more messages than the context length are refused before any rendering; the render itself is bounded
     * to what the context can hold ({@link TokenBudget#maxChars}).
     */
    public String renderChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return renderChat(messages, addGenerationPrompt, null);
    }

    /** As {@link #renderChat(List, boolean)}, with the request's tool definitions bound to {@code tools}. */
    public String renderChat(List<ChatMessage> messages, boolean addGenerationPrompt, List<Object> tools) {
        if (messages == null || messages.isEmpty()) {
            throw new InvalidRequestException("messages", "messages must not be empty");
        }
        if (messages.size() > contextLength) {
            throw new InvalidRequestException("messages", messages.size() + " messages cannot fit the context "
                    + "length of " + contextLength + " tokens");
        }
        return template.render(messages, addGenerationPrompt, tools);
    }

    /** Token ids of a prompt text: one BOS when the tokenizer asks for it, never two. */
    public int[] encode(String text) {
        return tokenizer.encode(text);
    }

    /** Token ids of a text, with the tokenizer's special tokens (BOS) only when {@code addSpecial}. */
    public int[] encode(String text, boolean addSpecial) {
        return tokenizer.encode(text, addSpecial);
    }

    /**
     * Token ids of a request's prompt text, tokenising at most what the context can hold: a prompt that leaves no
     * room for a completion is refused after reading only a bounded prefix of it.
     */
    public int[] encodePrompt(String text, String param) {
        return requests.encodePrompt(text, param, tokenizer);
    }

    /** Refuses a prompt of {@code tokens} that leaves no room for a completion, naming {@code param}. */
    public void checkRoom(int tokens, String param) {
        requests.room(tokens, param);
    }

    /** Text of token ids (special tokens skipped). */
    public String decode(int[] ids) {
        return tokenizer.decode(ids, 0, ids.length);
    }

    /** Text of token ids, special tokens skipped or kept. */
    public String decode(int[] ids, boolean skipSpecial) {
        return tokenizer.decode(ids, 0, ids.length, skipSpecial);
    }

    /** The bytes token {@code id} stands for (empty for an id the tokenizer does not define). */
    public byte[] tokenBytes(int id) {
        return vocabulary().bytes(id);
    }

    /** This model's structured-output grammars: compiled on its own threads, within its limits, and kept. */
    public Grammars grammars() {
        return grammars;
    }

    /** The tool-call format this model's chat template writes. */
    public ToolCalls toolCalls() {
        return ToolCalls.of(template.source());
    }

    /** The tokenizer's vocabulary as bytes, read from tokenizer.json on first use (startup does not pay for it). */
    TokenBytes vocabulary() {
        TokenBytes v = vocabulary;
        if (v == null) {
            synchronized (this) {
                v = vocabulary;
                if (v == null) {
                    v = TokenBytes.read(model.folder.tokenizer(), spec.vocabSize());
                    vocabulary = v;
                }
            }
        }
        return v;
    }

    /**
     * The prompt of a conversation for the assistant's next turn. Whether it opens reasoning is read off the
     * generation prompt alone (what the template appends with {@code add_generation_prompt}, found by rendering
     * without it too), so a {@code <think>} in a message's text never decides it.
     */
    public ChatPrompt renderForCompletion(List<ChatMessage> messages) {
        return renderForCompletion(messages, null);
    }

    /** As {@link #renderForCompletion(List)}, with tool definitions for the template ({@code null}: none). */
    public ChatPrompt renderForCompletion(List<ChatMessage> messages, List<Object> tools) {
        return ChatPrompt.of(renderChat(messages, true, tools), renderChat(messages, false, tools));
    }

    /**
     * Queues a completion; the scheduler prefills it and lets it join the running batch between decode steps.
     *
     * @throws InvalidRequestException when the prompt is empty, holds ids outside the vocabulary, or prompt plus
     *                                 max_tokens does not fit the context length
     */
    public Generation submit(GenerationRequest request, GenerationListener listener) {
        return submit(request, 1, i -> listener).getFirst();
    }

    /**
     * Queues {@code n} completions of one prompt: one prefill, whose cache the n rows then share, each sampling
     * with its own generator (with a seed, completion i draws from seed + i, so the first is the one n = 1 gives).
     * Completion i reports to {@code listeners.apply(i)}; the prompt's tokens are in the first one's usage alone.
     *
     * @throws InvalidRequestException as {@link #submit(GenerationRequest, GenerationListener)}, and when n is
     *                                 below 1 or above the batch limit
     */
    public List<Generation> submit(GenerationRequest request, int n, IntFunction<GenerationListener> listeners) {
        int maxTokens = check(request, n);
        SamplingParams sampling = request.sampling().resolve(spec.defaults());
        Set<Integer> eos = spec.eosIds();
        boolean split = options.reasoningSplit() && request.splitReasoning();
        Sequence lead = new Sequence(request, sampling, maxTokens, tokenizer, eos, split, listeners.apply(0));
        for (int i = 1; i < n; i++) {
            SamplingParams own = sampling.seed() == null ? sampling : sampling.withSeed(sampling.seed() + i);
            Sequence follower = new Sequence(request, own, maxTokens, tokenizer, eos, split, listeners.apply(i));
            follower.follower = true;
            lead.followers.add(follower);
        }
        if (request.adapter() != null) {
            adapters.attach(lead.group(), request.adapter());
        }
        scheduler.submit(lead);
        return List.copyOf(lead.group());
    }

    /**
     * What this engine refuses in a request, checked before it asks for a slot (and again, as an assertion, when
     * submitted): n outside [1, batch rows], an empty prompt, ids outside the vocabulary, prompt + max_tokens over the
     * context, an adapter that is not loaded, a prompt to score on a graph that gives the last position's logits
     * alone. Returns the completion's token limit.
     *
     * @throws InvalidRequestException  naming the parameter
     * @throws AdapterNotFoundException the request's adapter is not loaded
     */
    public int check(GenerationRequest request, int n) {
        return requests.check(request, n);
    }

    /** Runs a completion to its end on the calling thread's behalf (a thin wrapper over {@link #submit}). */
    public GenerationResult generate(GenerationRequest request) {
        Completions completion = new Completions(1);
        CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        submit(request, new GenerationListener() {
            @Override
            public void onDelta(Delta d) {
                completion.add(0, d);
            }

            @Override
            public void onComplete(FinishReason reason, Usage usage) {
                completion.end(0, reason, usage);
                Completions.Choice c = completion.choice(0);
                result.complete(new GenerationResult(c.reasoning(), c.content(), c.tokenIds(), reason, usage));
            }

            @Override
            public void onError(Throwable error) {
                result.completeExceptionally(error);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Called on the scheduler thread with the batch size of every decode step (must be quick). */
    public void observeSteps(IntConsumer observer) {
        scheduler.observeSteps(observer);
    }

    /** Tokens per sequence: prompt plus completion. */
    public int contextLength() {
        return contextLength;
    }

    /** Sequences executing now (prefilling or in the batch); never above the batch limit. */
    public int running() {
        return scheduler.stats().running();
    }

    /** The most sequences ever executing at once. */
    public int peakRunning() {
        return scheduler.stats().peakRunning();
    }

    /** What the engine counts as it runs: cache fill, prefills, prefix-cache lookups. */
    public EngineStats stats() {
        return scheduler.stats();
    }

    /** Sequences submitted and not yet admitted to the batch (a request's n completions count n). */
    public int waiting() {
        return scheduler.waiting();
    }

    /**
     * KV slots held by sequences over all slots, in [0, 1]. A sequence reserves a whole slot (every position of the
     * context) when it joins the batch, so this is the share of the cache no new sequence can have.
     */
    public double slotUsage() {
        return (double) scheduler.stats().running() / options.maxBatch();
    }

    /** Its LoRA adapters as a router reads them; {@link LoraAdapters#onChange} says when they change. */
    public LoraState lora() {
        return adapters.supported() ? new LoraState(adapters.max(), adapters.running(), adapters.waiting())
                : LoraState.NONE;
    }

    public int maxBatch() {
        return options.maxBatch();
    }

    /** KV positions held by running sequences over the capacity (slots × positions each), in [0, 1]. */
    public double kvCacheUsage() {
        return (double) scheduler.stats().busyTokens() / ((long) options.maxBatch() * contextLength);
    }

    /** Bytes one KV position takes across all layers (keys and values), for memory estimates. */
    public long kvBytesPerToken() {
        return 2L * decoder.layers * decoder.layout.kvHeads() * decoder.layout.vectorBytes();
    }

    public String modelType() {
        return spec.modelType();
    }

    public int vocabSize() {
        return spec.vocabSize();
    }

    /** The chat template in use (the override, or the folder's). */
    public String chatTemplate() {
        return template.source();
    }

    /** The LoRA adapters this engine serves: load, unload, and which are in use. */
    public LoraAdapters adapters() {
        return adapters;
    }

    /** Running and queued completions end CANCELLED at the scheduler's next step; the engine goes on serving. */
    @Override
    public void cancelAll() {
        scheduler.cancelAll();
    }

    /** Stops the scheduler (running and queued completions end CANCELLED) and releases the session. */
    @Override
    public void close() {
        grammars.close();
        scheduler.close();
        adapters.close();
        model.close();
    }
}
