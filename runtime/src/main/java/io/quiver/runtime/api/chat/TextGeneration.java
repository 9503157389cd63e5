package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.Generation;
import io.quiver.models.chat.GenerationRequest;
import io.quiver.models.chat.GrammarSource;
import io.quiver.models.chat.TokenGrammar;
import io.quiver.models.chat.TokenLogprob;
import io.quiver.models.QueueTimeoutException;
import io.quiver.models.chat.Usage;
import io.quiver.runtime.admission.ClientGoneException;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.InferenceCall;
import io.quiver.runtime.api.Lease;
import io.quiver.runtime.api.chat.GenerationEvents.Done;
import io.quiver.runtime.api.chat.GenerationEvents.Event;
import io.quiver.runtime.api.chat.GenerationEvents.Failed;
import io.quiver.runtime.api.chat.GenerationEvents.Scored;
import io.quiver.runtime.api.chat.GenerationEvents.Text;
import io.quiver.runtime.config.QuiverConfig;
import io.quiver.runtime.metrics.GenerationMeters;
import io.quiver.runtime.metrics.QuiverMetrics;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Runs the completions of one chat or text request under a slot of the pod cap and answers either with one JSON
 * body or with a server-sent event stream. The slot is held until the last event is written, and freed at once
 * when the client goes away (its completions are cancelled and leave the batch at the next step).
 */
@ApplicationScoped
public class TextGeneration {
    private final InferenceCall call;
    private final QuiverMetrics metrics;
    private final QuiverConfig config;
    private final ObjectMapper json;

    public TextGeneration(InferenceCall call, QuiverMetrics metrics, QuiverConfig config, ObjectMapper json) {
        this.call = call;
        this.metrics = metrics;
        this.config = config;
        this.json = json;
    }

    /**
     * {@code promptCount}: the prompts the request runs at once. Each of a prompt's n completions is a batch row
     * and takes one slot of the pod's cap (a chat batch has as many rows as the cap has slots), so that one request
     * cannot fill the batch ahead of requests admitted beside it; a prompt's n rows still share its prefill.
     */
    Response respond(String route, GenerationFields fields, HttpServerRequest http, int promptCount,
                     Function<ChatEngine, List<Prompt>> prompts, Wire wire) {
        return respond(route, fields, http, promptCount, prompts, wire, null);
    }

    /** {@code tools}: the chat request's tool use, or null. */
    Response respond(String route, GenerationFields fields, HttpServerRequest http, int promptCount,
                     Function<ChatEngine, List<Prompt>> prompts, Wire wire, ToolUse tools) {
        int n = fields.choicesPerPrompt();
        long rows = (long) promptCount * n;
        if (rows > call.cap()) {
            throw ApiException.invalid(n == 1 ? "prompt" : "n", "At most " + call.cap() + " completions (prompts × n) "
                    + "per request on this server, each a batch row under quiver.concurrency.max; got " + promptCount
                    + " × " + n);
        }
        TokenGrammar grammar = grammar(route, fields, http, tools);
        Lease lease = call.open(route, fields.model(), Set.of(ModelKind.CHAT), http, (int) rows);
        // Read by the engine's thread too, when a stream's client falls behind.
        List<Generation> generations = new CopyOnWriteArrayList<>();
        boolean streaming = false;
        try {
            ChatEngine engine = lease.model().engine(ChatEngine.class);
            // Check every prompt before any starts, so a bad one leaves nothing running.
            if (tools != null) {
                tools.on(engine);
            }
            List<Prompt> prepared = call.prepare(route, lease.model().name(), () -> prompts.apply(engine));
            List<GenerationRequest> requests = prepared.stream().map(p -> fields.toRequest(p).withGrammar(grammar))
                    .toList();
            // Choice p × n + j is completion j of prompt p.
            List<Prompt> perChoice = new ArrayList<>();
            prepared.forEach(p -> perChoice.addAll(Collections.nCopies(n, p)));
            TokenScores scores = new TokenScores(engine, fields.scoredAlternatives() >= 0, perChoice);
            GenerationMeters meters = metrics.generation(lease.model().name());
            GenerationEvents events = fields.streaming()
                    ? new GenerationEvents(meters, lease.start(), config.stream().buffer())
                    : new GenerationEvents(meters, lease.start());
            for (int i = 0; i < requests.size(); i++) {
                int first = i * n;
                generations.addAll(engine.submit(requests.get(i), n, j -> events.listener(first + j)));
            }
            Wire.Header header = new Wire.Header(wire.idPrefix() + UUID.randomUUID().toString().replace("-", ""),
                    Instant.now().getEpochSecond(), lease.model().name(), scores, tools);
            if (fields.streaming()) {
                streaming = true;
                EventStream stream = new EventStream(lease, generations, events, wire, header, config.stream(),
                        fields.includeUsage(), json, meters);
                return Response.ok(stream).type("text/event-stream").header("Cache-Control", "no-cache")
                        .header("X-Accel-Buffering", "no").build();
            }
            Object body = collect(lease, generations, events, wire, header);
            lease.status(200);
            return Response.ok(body).build();
        } catch (RuntimeException e) {
            generations.forEach(Generation::cancel);
            lease.status(InferenceCall.statusOf(e));
            throw e;
        } finally {
            if (!streaming) {
                lease.close();
                Thread.interrupted();
            }
        }
    }

    /**
     * The request's grammar, or null: compiled before the request asks for a slot, so that however long it takes no
     * slot waits on it; its wait is bounded by quiver.request-timeout and timed as the request's preparation.
     */
    private TokenGrammar grammar(String route, GenerationFields fields, HttpServerRequest http, ToolUse tools) {
        GrammarSource structured = StructuredOutputs.source(fields);
        if (structured == null && (tools == null || !tools.forces())) {
            return null;
        }
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        return call.beforeAdmission(route, fields.model(), Set.of(ModelKind.CHAT), http, model -> call.prepare(route,
                model.name(), () -> StructuredOutputs.grammar(structured, tools, model.engine(ChatEngine.class),
                        deadline)));
    }

    /** Waits for every choice to end, at most until the lease's deadline (then the work is cancelled: 504). */
    private static Object collect(Lease lease, List<Generation> generations, GenerationEvents events, Wire wire,
                                  Wire.Header header) {
        int count = generations.size();
        StringBuilder[] reasoning = new StringBuilder[count];
        StringBuilder[] content = new StringBuilder[count];
        FinishReason[] reasons = new FinishReason[count];
        List<List<TokenLogprob>> logprobs = new ArrayList<>();
        List<List<TokenLogprob>> scoredPrompts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            reasoning[i] = new StringBuilder();
            content[i] = new StringBuilder();
            logprobs.add(new ArrayList<>());
            scoredPrompts.add(null);
        }
        int prompt = 0;
        int completion = 0;
        try {
            for (int open = count; open > 0; ) {
                Event event = events.poll(lease.deadline() - System.nanoTime());
                switch (event) {
                    case null -> throw lease.timedOut();
                    case Scored p -> scoredPrompts.set(p.index(), p.prompt());
                    case Text t -> {
                        reasoning[t.index()].append(t.delta().reasoning());
                        content[t.index()].append(t.delta().content());
                        logprobs.get(t.index()).addAll(t.delta().logprobs());
                    }
                    case Done d -> {
                        reasons[d.index()] = d.reason();
                        prompt += d.usage().promptTokens();
                        completion += d.usage().completionTokens();
                        open--;
                    }
                    // 503 when the engine never found it a batch row in time, else a server error.
                    case Failed f -> throw f.error() instanceof QueueTimeoutException ? lease.queueTimedOut()
                            : new IllegalStateException("generation failed", f.error());
                }
            }
        } catch (InterruptedException e) {
            throw new ClientGoneException();
        }
        List<Wire.Choice> choices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            choices.add(new Wire.Choice(i, reasoning[i].toString(), content[i].toString(), reasons[i],
                    logprobs.get(i), scoredPrompts.get(i)));
        }
        return wire.completion(header, choices, new Usage(prompt, completion));
    }
}
