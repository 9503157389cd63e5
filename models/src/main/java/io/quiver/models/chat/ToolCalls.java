package io.quiver.models.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How a chat template's model family writes tool calls, told from the template's text: Hermes / Qwen
 * ({@code <tool_call>{"name", "arguments"}</tool_call>}), DeepSeek ({@code <｜tool▁calls▁begin｜>…}) and Llama 3
 * (a bare {@code {"name", "parameters"}} object, optionally after {@code <|python_tag|>}). Reads a completion's text
 * for calls (as it streams: {@link ToolCallReader}; or whole), and builds the automaton that forces a call
 * (tool_choice required or named).
 */
public enum ToolCalls {
    HERMES, DEEPSEEK, LLAMA;

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String DS_BEGIN = "<｜tool▁calls▁begin｜>";
    static final String DS_END = "<｜tool▁calls▁end｜>";
    static final String DS_CALL = "<｜tool▁call▁begin｜>";
    static final String DS_CALL_END = "<｜tool▁call▁end｜>";
    static final String DS_SEP = "<｜tool▁sep｜>";
    static final String PYTHON_TAG = "<|python_tag|>";

    /** A tool the request offers: its function's name and parameters schema (null: any object). */
    public record Tool(String name, JsonNode parameters) {
    }

    /** A completion's text split into the text around the calls (null when none) and the calls. */
    public record Parsed(String content, List<ToolCall> calls) {
    }

    /** The family a chat template writes (Hermes when it shows none). */
    public static ToolCalls of(String template) {
        if (template.contains("tool▁calls▁begin")) {
            return DEEPSEEK;
        }
        if (template.contains("<tool_call>")) {
            return HERMES;
        }
        if (template.contains(PYTHON_TAG) || template.contains("ipython")) {
            return LLAMA;
        }
        return HERMES;
    }

    /** The calls in a completion's text; text that holds none is all content. */
    public Parsed parse(String text) {
        return parse(text, Integer.MAX_VALUE);
    }

    /**
     * The calls in a completion's text, the first {@code maxCalls} of them, read as {@link ToolCallReader} reads a
     * stream: the non-streamed answer is what a stream of the same text adds up to.
     */
    public Parsed parse(String text, int maxCalls) {
        ToolCallReader reader = reader(maxCalls);
        List<ToolCallReader.Event> events = new ArrayList<>(reader.accept(text));
        events.addAll(reader.finish());
        if (reader.calls() == 0) {
            return new Parsed(text, List.of());
        }
        StringBuilder content = new StringBuilder();
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<StringBuilder> arguments = new ArrayList<>();
        for (ToolCallReader.Event e : events) {
            switch (e) {
                case ToolCallReader.Text t -> content.append(t.text());
                case ToolCallReader.CallStart s -> {
                    ids.add(s.id());
                    names.add(s.name());
                    arguments.add(new StringBuilder());
                }
                case ToolCallReader.Arguments a -> arguments.get(a.index()).append(a.fragment());
            }
        }
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            calls.add(new ToolCall(ids.get(i), names.get(i), arguments.get(i).toString()));
        }
        return new Parsed(content.isEmpty() ? null : content.toString(), calls);
    }

    /** A reader of one streamed answer's calls, at most {@code maxCalls} of them. */
    public ToolCallReader reader(int maxCalls) {
        return new ToolCallReader(this, maxCalls, ToolCalls::newId);
    }

    /**
     * The text that ends one call in this family's format, or null where there is none to stop at (Llama's calls
     * end with the answer).
     */
    public String callEnd() {
        return switch (this) {
            case HERMES -> "</tool_call>";
            case DEEPSEEK -> DS_CALL_END;
            case LLAMA -> null;
        };
    }

    /** A call id as OpenAI writes them. */
    static String newId() {
        return "call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    }

    private static JsonNode jsonOrNull(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return null;
        }
    }

    /** A call's arguments text as the object a template iterates over (the text itself if it is not JSON). */
    static Object parseArguments(String arguments) {
        JsonNode node = jsonOrNull(arguments);
        return node != null && node.isObject() ? JSON.convertValue(node, Map.class) : arguments;
    }

    /** Exactly one call of one of the tools, as this family writes it, its arguments valid for the tool. */
    Nfa forced(List<Tool> tools, GrammarBudget budget) {
        GrammarBudget.Union calls = budget.new Union();
        ArrayNode anyOf = JSON.createArrayNode();
        for (Tool t : tools) {
            JsonNode parameters = t.parameters() == null || t.parameters().isEmpty()
                    ? JSON.createObjectNode().put("type", "object") : t.parameters();
            if (this == DEEPSEEK) {
                String head = DS_BEGIN + DS_CALL + "function" + DS_SEP + t.name() + "\n```json\n";
                calls.add(Nfa.concat(budget.text(head, "a tool's name"), JsonSchemaAutomaton.of(parameters, budget),
                        JsonText.text("\n```" + DS_CALL_END + DS_END)));
                continue;
            }
            ObjectNode call = anyOf.addObject().put("type", "object");
            ObjectNode properties = call.putObject("properties");
            properties.putObject("name").put("const", t.name());
            String field = this == LLAMA ? "parameters" : "arguments";
            properties.set(field, parameters);
            call.putArray("required").add("name").add(field);
            call.put("additionalProperties", false);
        }
        if (this == DEEPSEEK) {
            return calls.build();
        }
        ObjectNode schema = JSON.createObjectNode();
        schema.set("anyOf", anyOf);
        Nfa json = JsonSchemaAutomaton.of(schema, budget);
        return this == HERMES ? Nfa.concat(JsonText.text("<tool_call>\n"), json, JsonText.text("\n</tool_call>"))
                : json;
    }
}
