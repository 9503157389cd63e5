package io.quiver.runtime.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.GrammarSource;
import io.quiver.models.chat.ToolCall;
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
 * {@code none} the tools are not shown and nothing is parsed.
 */
public final class ToolUse {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<ToolCalls.Tool> tools;
    private final List<Object> definitions;
    private final boolean forced;
    private final boolean parses;
    private ToolCalls family = ToolCalls.HERMES;
    /** Each streamed choice's text, held until its end: a call cannot be told from text before. */
    private final Map<Integer, StringBuilder> held = new ConcurrentHashMap<>();

    private ToolUse(List<ToolCalls.Tool> tools, List<Object> definitions, boolean forced, boolean parses) {
        this.tools = tools;
        this.definitions = definitions;
        this.forced = forced;
        this.parses = parses;
    }

    /** The request's tool use, or null when it has none (no tools, or {@code tool_choice: none}). */
    public static ToolUse of(JsonNode toolsField, JsonNode choice) {
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
        if (choice == null || choice.isNull() || choice.isTextual() && choice.asText().equals("auto")) {
            return new ToolUse(tools, definitions, false, true);
        }
        if (choice.isTextual() && choice.asText().equals("required")) {
            return new ToolUse(tools, definitions, true, true);
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
        return new ToolUse(named, definitions, true, true);
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

    /** A choice's whole text read for calls. */
    public ToolCalls.Parsed parse(String text) {
        return parses ? family.parse(text) : new ToolCalls.Parsed(text, List.of());
    }

    /** Holds streamed text of choice {@code index} until {@link #release}. */
    public void hold(int index, String text) {
        held.computeIfAbsent(index, i -> new StringBuilder()).append(text);
    }

    /** Choice {@code index}'s held text, read for calls. */
    public ToolCalls.Parsed release(int index) {
        StringBuilder text = held.remove(index);
        return parse(text == null ? "" : text.toString());
    }

    static List<WireToolCall> wire(List<ToolCall> calls, boolean indexed) {
        List<WireToolCall> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            ToolCall c = calls.get(i);
            out.add(new WireToolCall(indexed ? i : null, c.id(), "function",
                    new ChatProtocol.Function(c.name(), c.arguments())));
        }
        return out;
    }
}
