package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.GenerationRequest;
import io.quiver.models.chat.GrammarSource;
import io.quiver.models.chat.ToolCall;
import io.quiver.models.chat.ToolCallReader;
import io.quiver.models.chat.ToolCalls;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.ChatProtocol.WireToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A chat request's {@code tools} and {@code tool_choice}: the definitions go to the chat template's {@code tools};
 * with {@code auto} the answer is parsed for calls in the template family's format ({@link ToolCalls}), with
 * {@code required} or a named function decoding is constrained to one call of one (or that) tool, and with
 * {@code none} the tools are not shown and nothing is parsed. {@code parallel_tool_calls: false} keeps the first call
 * alone: decoding stops at the end of that call where the family marks it, and the reader drops any later one (a
 * forced choice is exactly one call either way).
 */
public final class ToolUse {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<ToolCalls.Tool> tools;
    private final List<Object> definitions;
    private final boolean forced;
    private final int maxCalls;
    private ToolCalls family = ToolCalls.HERMES;
    /** Each streamed choice's reader of calls. */
    private final Map<Integer, ToolCallReader> readers = new ConcurrentHashMap<>();

    private ToolUse(List<ToolCalls.Tool> tools, List<Object> definitions, boolean forced, boolean parallel) {
        this.tools = tools;
        this.definitions = definitions;
        this.forced = forced;
        this.maxCalls = parallel ? Integer.MAX_VALUE : 1;
    }

    /**
     * The request's tool use, or null when it has none (no tools, or {@code tool_choice: none}).
     * {@code parallel}: {@code parallel_tool_calls}, null meaning OpenAI's default, true.
     */
    public static ToolUse of(JsonNode toolsField, JsonNode choice, Boolean parallel) {
        boolean none = choice != null && choice.isTextual() && choice.asText().equals("none");
        boolean hasTools = toolsField != null && !toolsField.isNull() && !(toolsField.isArray() && toolsField.isEmpty());
        if (!hasTools) {
            if (choice != null && !choice.isNull() && !none && !(choice.isTextual() && choice.asText().equals("auto"))) {
                throw ApiException.invalid("tool_choice", "tool_choice needs tools");
            }
            return null;
        }
        if (!toolsField.isArray()) {
            throw ApiException.invalid("tools", "tools must be an array of {type: function, function: {name, "
                    + "description, parameters}}");
        }
        List<ToolCalls.Tool> tools = new ArrayList<>();
        for (int i = 0; i < toolsField.size(); i++) {
            JsonNode t = toolsField.get(i);
            JsonNode function = t.path("function");
            if (!t.path("type").asText("").equals("function") || !function.path("name").isTextual()
                    || function.get("name").asText().isEmpty()) {
                throw ApiException.invalid("tools[" + i + "]", "tools[" + i + "] must be {type: function, function: "
                        + "{name, description, parameters}}");
            }
            JsonNode parameters = function.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw ApiException.invalid("tools[" + i + "].function.parameters", "parameters must be a JSON "
                        + "Schema object");
            }
            tools.add(new ToolCalls.Tool(function.get("name").asText(), parameters == null || parameters.isNull()
                    ? null : parameters));
        }
        if (none) {
            return null;
        }
        List<Object> definitions = JSON.convertValue(toolsField, List.class);
        boolean several = !Boolean.FALSE.equals(parallel);
        if (choice == null || choice.isNull() || choice.isTextual() && choice.asText().equals("auto")) {
            return new ToolUse(tools, definitions, false, several);
        }
        if (choice.isTextual() && choice.asText().equals("required")) {
            return new ToolUse(tools, definitions, true, several);
        }
        String name = choice.path("function").path("name").asText("");
        if (!choice.path("type").asText("").equals("function") || name.isEmpty()) {
            throw ApiException.invalid("tool_choice", "tool_choice must be none, auto, required or {type: function, "
                    + "function: {name}}");
        }
        List<ToolCalls.Tool> named = tools.stream().filter(t -> t.name().equals(name)).toList();
        if (named.isEmpty()) {
            throw ApiException.invalid("tool_choice", "tool_choice names '" + name + "', which is not in tools");
        }
        return new ToolUse(named, definitions, true, several);
    }

    /** What the chat template gets as {@code tools}. */
    public List<Object> definitions() {
        return definitions;
    }

    /** Whether decoding is constrained to a call (tool_choice required or named). */
    boolean forces() {
        return forced;
    }

    /** The constraint that forces a call in the family {@link #on} set, or null when the model may answer in text. */
    GrammarSource source() {
        return forced ? new GrammarSource.Tools(family, tools, "tool_choice") : null;
    }

    /** Reads calls in the format of this engine's chat template. */
    ToolUse on(ChatEngine engine) {
        family = engine.toolCalls();
        return this;
    }

    /**
     * The engine request, with parallel_tool_calls false, stopped at the end of the first call where the family
     * marks one (the reader keeps the first call alone either way; stopping saves the tokens after it).
     */
    GenerationRequest bound(GenerationRequest request) {
        String end = family.callEnd();
        if (maxCalls > 1 || forced || end == null) {
            return request;
        }
        List<String> stop = new ArrayList<>(request.stop());
        stop.add(end);
        return request.withStop(stop);
    }

    /** A choice's whole text read for calls. */
    public ToolCalls.Parsed parse(String text) {
        return family.parse(text, maxCalls);
    }

    /**
     * The reader of streamed choice {@code index}'s calls, shared by every route that streams them (chat, Messages,
     * Responses); {@link #release} it at the choice's end.
     */
    public ToolCallReader reader(int index) {
        return readers.computeIfAbsent(index, i -> family.reader(maxCalls));
    }

    public void release(int index) {
        readers.remove(index);
    }

    static List<WireToolCall> wire(List<ToolCall> calls) {
        List<WireToolCall> out = new ArrayList<>();
        for (ToolCall c : calls) {
            out.add(new WireToolCall(null, c.id(), "function", new ChatProtocol.Function(c.name(), c.arguments())));
        }
        return out;
    }
}
