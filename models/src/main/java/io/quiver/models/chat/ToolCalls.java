package io.quiver.models.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a chat template's model family writes tool calls, told from the template's text: Hermes / Qwen
 * ({@code <tool_call>{"name", "arguments"}</tool_call>}), DeepSeek ({@code <｜tool▁calls▁begin｜>…}) and Llama 3
 * (a bare {@code {"name", "parameters"}} object, optionally after {@code <|python_tag|>}). Parses a completion's text
 * into calls, and builds the automaton that forces a call (tool_choice required or named).
 */
public enum ToolCalls {
    HERMES, DEEPSEEK, LLAMA;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HERMES_CALL = Pattern.compile("<tool_call>\\s*(.*?)\\s*(?:</tool_call>|$)",
            Pattern.DOTALL);
    private static final String DS_BEGIN = "<｜tool▁calls▁begin｜>";
    private static final String DS_END = "<｜tool▁calls▁end｜>";
    private static final String DS_CALL = "<｜tool▁call▁begin｜>";
    private static final String DS_CALL_END = "<｜tool▁call▁end｜>";
    private static final String DS_SEP = "<｜tool▁sep｜>";
    private static final Pattern DS_ONE = Pattern.compile(Pattern.quote(DS_CALL) + "(.*?)" + Pattern.quote(DS_SEP)
            + "(.*?)(?:" + Pattern.quote(DS_CALL_END) + "|$)", Pattern.DOTALL);
    private static final String PYTHON_TAG = "<|python_tag|>";

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
        List<ToolCall> calls = new ArrayList<>();
        String content = text;
        switch (this) {
            case HERMES -> {
                int first = text.indexOf("<tool_call>");
                if (first >= 0) {
                    Matcher m = HERMES_CALL.matcher(text.substring(first));
                    while (m.find()) {
                        call(jsonOrNull(m.group(1)), "arguments", calls);
                    }
                    content = text.substring(0, first);
                }
            }
            case DEEPSEEK -> {
                int first = text.indexOf(DS_BEGIN);
                if (first >= 0) {
                    String block = text.substring(first + DS_BEGIN.length());
                    int end = block.indexOf(DS_END);
                    Matcher m = DS_ONE.matcher(end >= 0 ? block.substring(0, end) : block);
                    while (m.find()) {
                        deepSeek(m.group(1), m.group(2), calls);
                    }
                    content = text.substring(0, first);
                }
            }
            case LLAMA -> {
                String body = text.strip();
                if (body.startsWith(PYTHON_TAG)) {
                    body = body.substring(PYTHON_TAG.length()).strip();
                }
                if (body.startsWith("{")) {
                    for (String one : body.split(";")) {
                        call(jsonOrNull(one.strip()), "parameters", calls);
                    }
                    if (!calls.isEmpty()) {
                        content = "";
                    }
                }
            }
        }
        if (calls.isEmpty()) {
            return new Parsed(text, List.of());
        }
        return new Parsed(content.isBlank() ? null : content.strip(), calls);
    }

    private static void deepSeek(String head, String body, List<ToolCall> calls) {
        int fence = body.indexOf("```json");
        if (fence >= 0) {
            // R1: function<sep>name\n```json\n{…}\n```
            String name = body.substring(0, fence).strip();
            String args = body.substring(fence + "```json".length());
            int close = args.lastIndexOf("```");
            args = (close >= 0 ? args.substring(0, close) : args).strip();
            add(name, jsonOrNull(args), calls);
        } else {
            // V3.1: name<sep>{…}
            add(head.strip(), jsonOrNull(body.strip()), calls);
        }
    }

    private static void call(JsonNode call, String argumentsField, List<ToolCall> calls) {
        if (call != null && call.path("name").isTextual()) {
            JsonNode args = call.has(argumentsField) ? call.get(argumentsField) : call.get("arguments");
            if (args != null && args.isTextual()) {
                args = jsonOrNull(args.asText());
            }
            add(call.get("name").asText(), args, calls);
        }
    }

    private static void add(String name, JsonNode arguments, List<ToolCall> calls) {
        if (!name.isEmpty() && arguments != null && arguments.isObject()) {
            calls.add(new ToolCall("call_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24), name,
                    arguments.toString()));
        }
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
