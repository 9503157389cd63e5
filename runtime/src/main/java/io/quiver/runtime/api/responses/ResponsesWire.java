package io.quiver.runtime.api.responses;

import io.quiver.models.chat.Completions;
import io.quiver.models.chat.Delta;
import io.quiver.models.chat.FinishReason;
import io.quiver.models.chat.ToolCall;
import io.quiver.models.chat.ToolCalls;
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
 * function call item per call. With tools the answer's text is held to its end (a call cannot be told from text
 * before), as on chat completions; reasoning still streams.
 */
final class ResponsesWire implements Wire {
    private static final String CUT_SHORT = "The response was cut short: the request timed out or the server is "
            + "shutting down";

    private final ResponsesRequest request;
    private final ToolUse tools;
    private final List<Object> output = new ArrayList<>();
    private final StringBuilder held = new StringBuilder();
    private int sequence;
    private Open open;
    private FinishReason reason;

    /** The item a stream is writing: its kind, id, place in the output and text so far. */
    private record Open(boolean reasoning, String id, int index, StringBuilder text) {
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
        answer(c.content(), null);
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
        if (!d.reasoning().isEmpty()) {
            write(events, true, d.reasoning());
        }
        if (!d.content().isEmpty()) {
            if (tools != null) {
                close(events, "completed");
                held.append(d.content());
            } else {
                write(events, false, d.content());
            }
        }
        return events.isEmpty() ? null : events;
    }

    @Override
    public Object finish(Header h, int index, FinishReason finished) {
        reason = finished;
        List<Object> events = new ArrayList<>();
        close(events, itemStatus());
        // Without tools the text has streamed already; with them it was held for this.
        answer(tools == null ? "" : held.toString(), events);
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

    /**
     * The answer's items after its reasoning: the text (read for calls when the request has tools) as a message,
     * then its calls; an empty message when the model stopped with nothing else to say. Streams write each item's
     * events into {@code events}; without a stream ({@code events} null) the items are only added to the output.
     */
    private void answer(String text, List<Object> events) {
        ToolCalls.Parsed parsed = tools == null ? new ToolCalls.Parsed(text, List.of()) : tools.parse(text);
        List<ToolCall> calls = parsed.calls();
        String content = parsed.content() == null ? "" : parsed.content();
        boolean messageWritten = output.stream().anyMatch(Message.class::isInstance);
        if (!content.isEmpty() || calls.isEmpty() && !messageWritten && reason == FinishReason.STOP) {
            if (events == null) {
                output.add(Message.of(id("msg_"), itemStatus(), List.of(OutputText.of(content))));
            } else {
                write(events, false, content);
                close(events, itemStatus());
            }
        }
        for (ToolCall call : calls) {
            String id = id("fc_");
            int at = output.size();
            FunctionCall done = FunctionCall.of(id, "completed", call.id(), call.name(), call.arguments());
            if (events != null) {
                events.add(new ItemEvent("response.output_item.added", sequence++, at,
                        FunctionCall.of(id, "in_progress", call.id(), call.name(), "")));
                events.add(new ArgumentsDelta("response.function_call_arguments.delta", sequence++, id, at,
                        call.arguments()));
                events.add(new ArgumentsDone("response.function_call_arguments.done", sequence++, id, at,
                        call.name(), call.arguments()));
                events.add(new ItemEvent("response.output_item.done", sequence++, at, done));
            }
            output.add(done);
        }
    }

    /** Streams text into the open item of its kind, closing the other kind's item and opening one as needed. */
    private void write(List<Object> events, boolean reasoning, String text) {
        if (open == null || open.reasoning() != reasoning) {
            close(events, "completed");
            open = new Open(reasoning, id(reasoning ? "rs_" : "msg_"), output.size(), new StringBuilder());
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

    /** Ends the open item, if any: its text done, its part done, the item done and added to the output. */
    private void close(List<Object> events, String status) {
        if (open == null) {
            return;
        }
        String text = open.text().toString();
        boolean reasoning = open.reasoning();
        Object part = reasoning ? ReasoningText.of(text) : OutputText.of(text);
        Object item = reasoning ? Reasoning.of(open.id(), status, List.of(ReasoningText.of(text)))
                : Message.of(open.id(), status, List.of(OutputText.of(text)));
        events.add(new TextDone(reasoning ? "response.reasoning_text.done" : "response.output_text.done", sequence++,
                open.id(), open.index(), 0, text, reasoning ? null : List.of()));
        events.add(new PartEvent("response.content_part.done", sequence++, open.id(), open.index(), 0, part));
        events.add(new ItemEvent("response.output_item.done", sequence++, open.index(), item));
        output.add(item);
        open = null;
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
