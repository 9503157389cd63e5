package io.quiver.runtime.api.responses;

import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.ToolCallReader;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.OpenAiError;
import io.quiver.runtime.api.chat.ToolUse;
import io.quiver.runtime.api.chat.Wire;
import io.quiver.runtime.api.responses.ResponsesProtocol.ArgumentsDelta;
import io.quiver.runtime.api.responses.ResponsesProtocol.ArgumentsDone;
import io.quiver.runtime.api.responses.ResponsesProtocol.Body;
import io.quiver.runtime.api.responses.ResponsesProtocol.ErrorEvent;
import io.quiver.runtime.api.responses.ResponsesProtocol.Failure;
import io.quiver.runtime.api.responses.ResponsesProtocol.FunctionCall;
import io.quiver.runtime.api.responses.ResponsesProtocol.ItemEvent;
import io.quiver.runtime.api.responses.ResponsesProtocol.Lifecycle;
import io.quiver.runtime.api.responses.ResponsesProtocol.Message;
import io.quiver.runtime.api.responses.ResponsesProtocol.OutputText;
import io.quiver.runtime.api.responses.ResponsesProtocol.PartEvent;
import io.quiver.runtime.api.responses.ResponsesProtocol.Reasoning;
import io.quiver.runtime.api.responses.ResponsesProtocol.ReasoningText;
import io.quiver.runtime.api.responses.ResponsesProtocol.TextDelta;
import io.quiver.runtime.api.responses.ResponsesProtocol.TextDone;
import io.quiver.runtime.api.responses.ResponsesProtocol.Usage;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One response of {@code POST /v1/responses} on the wire; one instance per request, since a stream's events carry
 * running state (sequence numbers, output indexes, the item being written). Output items come in the order the
 * model writes them: a reasoning item for {@code <think>} text, a message item for the answer's text, then a
 * function call item per call. With tools the answer's text is read for calls as it decodes ({@link ToolCallReader},
 * as chat completions stream them): text before the calls streams into the message item, and each call streams its
 * arguments into its own item. The answer without a stream is made by the same code, its events unsent, so the two
 * agree.
 */
final class ResponsesWire implements Wire {
    private static final String CUT_SHORT = "The response was cut short: the request timed out or the server is "
            + "shutting down";

    private final ResponsesRequest request;
    private final ToolUse tools;
    private final List<Object> output = new ArrayList<>();
    private int sequence;
    private Open open;
    private FinishReason reason;

    private enum Kind { REASONING, MESSAGE, CALL }

    /**
     * The item a stream is writing: its kind, id, place in the output and text so far (a call's: its arguments, and
     * its call id and function name; null for the other kinds).
     */
    private record Open(Kind kind, String id, int index, StringBuilder text, String callId, String name) {
    }

    /** {@code tools}: the request's tool use (its calls are read from the answer), or null. */
    ResponsesWire(ResponsesRequest request, ToolUse tools) {
        this.request = request;
        this.tools = tools;
    }

    @Override
    public String idPrefix() {
        return "resp_";
    }

    @Override
    public Object completion(Header h, List<Completions.Choice> choices, io.quiver.models.chat.Usage usage) {
        Completions.Choice c = choices.getFirst();
        reason = c.reason();
        if (!c.reasoning().isEmpty()) {
            // Reasoning cut short leaves no answer after it.
            String status = c.content().isEmpty() ? itemStatus() : "completed";
            output.add(Reasoning.of(id("rs_"), status, List.of(ReasoningText.of(c.reasoning()))));
        }
        // The answer's items are made as a stream makes them, their events unsent: the two answers agree.
        List<Object> unsent = new ArrayList<>();
        answer(unsent, c.index(), c.content());
        ended(unsent, c.index());
        return body(h, Usage.of(usage, c.reasoningTokens()));
    }

    @Override
    public List<Object> opening(Header h, int choices) {
        Body snapshot = body(h, "in_progress", null, null);
        return List.of(new Lifecycle("response.created", sequence++, snapshot),
                new Lifecycle("response.in_progress", sequence++, snapshot));
    }

    @Override
    public Object delta(Header h, int index, Delta d) {
        List<Object> events = new ArrayList<>();
        // Reasoning after a call began is left out: it would cut the call's item short (R1 reasons first).
        if (!d.reasoning().isEmpty() && !writing(Kind.CALL)) {
            write(events, Kind.REASONING, d.reasoning());
        }
        if (!d.content().isEmpty()) {
            if (writing(Kind.REASONING)) {
                // The answer began, even while the reader holds its first text back: the reasoning is done.
                close(events, "completed");
            }
            answer(events, index, d.content());
        }
        return events.isEmpty() ? null : events;
    }

    @Override
    public Object finish(Header h, int index, FinishReason finished) {
        reason = finished;
        List<Object> events = new ArrayList<>();
        ended(events, index);
        return events;
    }

    /** Never sent on its own: the last lifecycle event carries the usage ({@link #ending}). */
    @Override
    public Object usage(Header h, io.quiver.models.chat.Usage usage) {
        return Usage.of(usage, 0);
    }

    @Override
    public Object ending(Header h, Completions completions, boolean includeUsage) {
        Body body = body(h, Usage.of(completions.usage(), completions.choice(0).reasoningTokens()));
        String type = switch (body.status()) {
            case "completed" -> "response.completed";
            case "incomplete" -> "response.incomplete";
            default -> "response.failed";
        };
        return new Lifecycle(type, sequence++, body);
    }

    @Override
    public Object failure(Header h, ApiException failure) {
        OpenAiError.Detail e = failure.body().error();
        return List.of(new ErrorEvent("error", sequence++, e.code() != null ? e.code() : e.type(), e.message(),
                e.param()), new Lifecycle("response.failed", sequence++, body(h, "failed", null,
                new Failure("server_error", e.message()))));
    }

    /** Responses streams end with their last lifecycle event. */
    @Override
    public String end() {
        return "";
    }

    /** The next piece of the answer's text: read for calls when the request has tools, else all message text. */
    private void answer(List<Object> events, int index, String text) {
        read(events, tools == null ? List.of(new ToolCallReader.Text(text)) : tools.reader(index).accept(text));
    }

    /** Writes what the reader read: text into the message item, each call into its own function call item. */
    private void read(List<Object> events, List<ToolCallReader.Event> read) {
        for (ToolCallReader.Event e : read) {
            switch (e) {
                case ToolCallReader.Text t -> {
                    if (!t.text().isEmpty()) {
                        write(events, Kind.MESSAGE, t.text());
                    }
                }
                case ToolCallReader.CallStart s -> call(events, s);
                case ToolCallReader.Arguments a -> {
                    open.text().append(a.fragment());
                    events.add(new ArgumentsDelta("response.function_call_arguments.delta", sequence++, open.id(),
                            open.index(), a.fragment()));
                }
            }
        }
    }

    /**
     * The answer ended: what the reader held back, then the open item done; a model that stopped with nothing else
     * to say answers an empty message.
     */
    private void ended(List<Object> events, int index) {
        if (tools != null) {
            read(events, tools.reader(index).finish());
            tools.release(index);
        }
        boolean answered = open != null && open.kind() != Kind.REASONING
                || output.stream().anyMatch(item -> item instanceof Message || item instanceof FunctionCall);
        if (!answered && reason == FinishReason.STOP) {
            write(events, Kind.MESSAGE, "");
        }
        close(events, itemStatus());
    }

    private boolean writing(Kind kind) {
        return open != null && open.kind() == kind;
    }

    /** Streams text into the open item of its kind, closing another item and opening one as needed. */
    private void write(List<Object> events, Kind kind, String text) {
        boolean reasoning = kind == Kind.REASONING;
        if (!writing(kind)) {
            close(events, "completed");
            open = new Open(kind, id(reasoning ? "rs_" : "msg_"), output.size(), new StringBuilder(), null, null);
            Object item = reasoning ? Reasoning.of(open.id(), "in_progress", List.of())
                    : Message.of(open.id(), "in_progress", List.of());
            events.add(new ItemEvent("response.output_item.added", sequence++, open.index(), item));
            events.add(new PartEvent("response.content_part.added", sequence++, open.id(), open.index(), 0,
                    reasoning ? ReasoningText.of("") : OutputText.of("")));
        }
        if (text.isEmpty()) {
            return;
        }
        open.text().append(text);
        events.add(new TextDelta(reasoning ? "response.reasoning_text.delta" : "response.output_text.delta",
                sequence++, open.id(), open.index(), 0, text, reasoning ? null : List.of()));
    }

    /** A call begins: the item before it is done, and the call's item is added with its arguments still empty. */
    private void call(List<Object> events, ToolCallReader.CallStart start) {
        close(events, "completed");
        open = new Open(Kind.CALL, id("fc_"), output.size(), new StringBuilder(), start.id(), start.name());
        events.add(new ItemEvent("response.output_item.added", sequence++, open.index(),
                FunctionCall.of(open.id(), "in_progress", start.id(), start.name(), "")));
    }

    /**
     * Ends the open item, if any: a text item's text and part done, a call's arguments done; then the item done and
     * added to the output.
     */
    private void close(List<Object> events, String status) {
        if (open == null) {
            return;
        }
        String text = open.text().toString();
        Object item = switch (open.kind()) {
            case REASONING -> {
                textDone(events, true, text);
                yield Reasoning.of(open.id(), status, List.of(ReasoningText.of(text)));
            }
            case MESSAGE -> {
                textDone(events, false, text);
                yield Message.of(open.id(), status, List.of(OutputText.of(text)));
            }
            case CALL -> {
                events.add(new ArgumentsDone("response.function_call_arguments.done", sequence++, open.id(),
                        open.index(), open.name(), text));
                yield FunctionCall.of(open.id(), status, open.callId(), open.name(), text);
            }
        };
        events.add(new ItemEvent("response.output_item.done", sequence++, open.index(), item));
        output.add(item);
        open = null;
    }

    private void textDone(List<Object> events, boolean reasoning, String text) {
        events.add(new TextDone(reasoning ? "response.reasoning_text.done" : "response.output_text.done", sequence++,
                open.id(), open.index(), 0, text, reasoning ? null : List.of()));
        events.add(new PartEvent("response.content_part.done", sequence++, open.id(), open.index(), 0,
                reasoning ? ReasoningText.of(text) : OutputText.of(text)));
    }

    /** An item cut short by the token limit or a cancellation is incomplete. */
    private String itemStatus() {
        return reason == FinishReason.STOP ? "completed" : "incomplete";
    }

    private Body body(Header h, Usage usage) {
        return switch (reason) {
            case STOP -> body(h, "completed", usage, null);
            case LENGTH -> body(h, "incomplete", usage, null);
            case CANCELLED -> body(h, "failed", usage, new Failure("server_error", CUT_SHORT));
        };
    }

    private Body body(Header h, String status, Usage usage, Failure error) {
        ResponsesRequest r = request;
        return new Body(h.id(), "response", h.created(), status, false, error, status.equals("incomplete")
                ? new ResponsesProtocol.Incomplete("max_output_tokens") : null, r.instructions(),
                r.maxOutputTokens(), null, r.echoedMetadata(), h.model(), List.copyOf(output), r.parallel(), null,
                r.echoedReasoning(), "default", false, r.temperature(), r.echoedText(), r.echoedToolChoice(),
                r.echoedTools(), 0, r.topP(), "disabled", usage, r.user());
    }

    private static String id(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "");
    }
}
