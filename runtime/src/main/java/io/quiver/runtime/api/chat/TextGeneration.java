package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.ChatPrompt;
import io.quiver.models.chat.ChatMessage;
import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Generation;
import io.quiver.models.chat.GenerationRequest;
import io.quiver.models.chat.GrammarSource;
import io.quiver.models.chat.TokenGrammar;
import io.quiver.runtime.admission.ClientGoneException;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.InferenceCall;
import io.quiver.runtime.api.Lease;
import io.quiver.runtime.api.chat.GenerationEvents.Event;
import io.quiver.runtime.api.chat.GenerationEvents.Failed;
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
 * Runs the completions of one chat or text request: checks it against its model first (prompts rendered and
 * tokenised, the grammar compiled, every limit the engine has), so a request that will be refused never takes a
 * slot; then runs it under the pod cap and answers either with one JSON body or with a server-sent event stream.
 * The slot is held until the last event is written, and freed at once when the client goes away (its completions
 * are cancelled and leave the batch at the next step).
 */
@ApplicationScoped
public class TextGeneration {
    private final InferenceCall call;
    private final QuiverMetrics metrics;
    private final QuiverConfig config;
    private final ObjectMapper json;

    /** A text request checked against its model: the engine requests of its prompts, each run n times. */
    record Checked(ChatEngine engine, List<Prompt> prompts, List<GenerationRequest> requests, int n) {
    }

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

    /**
     * A conversation rendered with its model's chat template ({@code tools}: the tool use whose definitions the
     * template shows and whose calls the answer is read for, or null) and answered through {@code wire}.
     */
    public Response converse(String route, GenerationFields fields, HttpServerRequest http, List<ChatMessage> messages,
                             Wire wire, ToolUse tools) {
        return respond(route, fields, http, 1, engine -> List.of(prompt(engine, messages, tools)), wire, tools);
    }

    private static Prompt prompt(ChatEngine engine, List<ChatMessage> messages, ToolUse tools) {
        ChatPrompt prompt = engine.renderForCompletion(messages, tools == null ? null
                : tools.definitions());
        return new Prompt(engine.encodePrompt(prompt.text(), "messages"), prompt.opensReasoning(), true);
    }

    /** {@code tools}: the request's tool use, or null. */
    public Response respond(String route, GenerationFields fields, HttpServerRequest http, int promptCount,
                     Function<ChatEngine, List<Prompt>> prompts, Wire wire, ToolUse tools) {
        int n = fields.choicesPerPrompt();
        long rows = (long) promptCount * n;
        if (rows > call.cap()) {
            throw ApiException.invalid(n == 1 ? "prompt" : "n", "At most " + call.cap() + " completions (prompts × n) "
                    + "per request on this server, each a batch row under quiver.concurrency.max; got " + promptCount
                    + " × " + n);
        }
        fields.checkSampling();
        GrammarSource structured = fields.structured();
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        InferenceCall.Checked<Checked> checked = call.check(route, fields.model(), Set.of(ModelKind.CHAT), http,
                model -> check(model.engine(ChatEngine.class), model.adapter(), fields, prompts, tools, structured, n,
                        deadline));
        Lease lease = call.admit(route, checked, http, (int) rows);
        return run(lease, checked.request(), fields, wire, tools);
    }

    /** Every refusal the request can earn, before it asks for a slot. */
    private static Checked check(ChatEngine engine, String adapter, GenerationFields fields,
                                 Function<ChatEngine, List<Prompt>> prompts, ToolUse tools, GrammarSource structured,
                                 int n, long deadline) {
        if (tools != null) {
            tools.on(engine);
        }
        TokenGrammar grammar = structured == null && (tools == null || !tools.forces()) ? null
                : StructuredOutputs.grammar(structured, tools, engine, deadline);
        List<Prompt> prepared = prompts.apply(engine);
        List<GenerationRequest> requests = new ArrayList<>();
        for (Prompt p : prepared) {
            GenerationRequest request = fields.toRequest(p).withGrammar(grammar).withAdapter(adapter);
            if (tools != null) {
                request = tools.bound(request);
            }
            engine.check(request, n);
            requests.add(request);
        }
        return new Checked(engine, prepared, requests, n);
    }

    private Response run(Lease lease, Checked checked, GenerationFields fields, Wire wire, ToolUse tools) {
        // Read by the engine's thread too, when a stream's client falls behind.
        List<Generation> generations = new CopyOnWriteArrayList<>();
        boolean streaming = false;
        try {
            ChatEngine engine = checked.engine();
            int n = checked.n();
            // Choice p × n + j is completion j of prompt p.
            List<Prompt> perChoice = new ArrayList<>();
            checked.prompts().forEach(p -> perChoice.addAll(Collections.nCopies(n, p)));
            TokenScores scores = new TokenScores(engine, fields.scoredAlternatives() >= 0, perChoice);
            GenerationMeters meters = metrics.generation(lease.model().name());
            GenerationEvents events = fields.streaming()
                    ? new GenerationEvents(meters, lease.start(), config.stream().buffer())
                    : new GenerationEvents(meters, lease.start());
            for (int i = 0; i < checked.requests().size(); i++) {
                int first = i * n;
                generations.addAll(engine.submit(checked.requests().get(i), n, j -> events.listener(first + j)));
            }
            Wire.Header header = new Wire.Header(wire.idPrefix() + UUID.randomUUID().toString().replace("-", ""),
                    Instant.now().getEpochSecond(), lease.model().requested(), scores, tools);
            if (fields.streaming()) {
                streaming = true;
                EventStream stream = new EventStream(lease, generations, events, wire, header, config.stream(),
                        fields.includeUsage(), json, meters);
                return Response.ok(stream).type("text/event-stream").header("Cache-Control", "no-cache")
                        .header("X-Accel-Buffering", "no").build();
            }
            Object body = collect(lease, generations.size(), events, wire, header);
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

    /** Waits for every choice to end, at most until the lease's deadline (then the work is cancelled: 504). */
    private static Object collect(Lease lease, int count, GenerationEvents events, Wire wire, Wire.Header header) {
        Completions completions = new Completions(count);
        try {
            while (completions.open() > 0) {
                Event event = events.poll(lease.deadline() - System.nanoTime());
                if (event == null) {
                    throw lease.timedOut();
                }
                if (event instanceof Failed f) {
                    throw lease.failure(f.error());
                }
                events.addTo(completions, event);
            }
        } catch (InterruptedException e) {
            throw new ClientGoneException();
        }
        return wire.completion(header, completions.choices(), completions.usage());
    }
}
