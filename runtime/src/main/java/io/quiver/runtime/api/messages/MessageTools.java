package io.quiver.runtime.api.messages;

import static io.quiver.runtime.api.messages.MessagesRequest.invalid;
import static io.quiver.runtime.api.messages.MessagesRequest.present;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.quiver.runtime.api.chat.ToolUse;
import java.util.Iterator;
import java.util.Set;

/**
 * Anthropic's {@code tools} ({@code {name, description, input_schema}}) and {@code tool_choice} read as the chat
 * route's tool use: the template gets them as function definitions; {@code auto} parses calls out of the answer,
 * {@code any} and {@code tool} constrain decoding to one call (of that tool), {@code none} shows no tools. Server
 * tools (web search, code execution, …) are refused: they run at Anthropic.
 */
final class MessageTools {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> TOOL_KEYS = Set.of("name", "description", "input_schema", "type",
            "cache_control");
    private static final Set<String> CHOICE_KEYS = Set.of("type", "name", "disable_parallel_tool_use");

    private MessageTools() {
    }

    /** The request's tool use, or null when it has no tools; {@code disable_parallel_tool_use} keeps one call. */
    static ToolUse read(JsonNode tools, JsonNode choice) {
        ArrayNode functions = present(tools) ? functions(tools) : null;
        JsonNode openAiChoice = null;
        boolean oneCall = false;
        if (present(choice)) {
            if (!choice.isObject()) {
                throw invalid("tool_choice: must be {type: auto | any | tool | none}");
            }
            keys(choice, CHOICE_KEYS, "tool_choice");
            String type = choice.path("type").asText("");
            openAiChoice = switch (type) {
                case "auto" -> TextNode.valueOf("auto");
                case "any" -> TextNode.valueOf("required");
                case "none" -> TextNode.valueOf("none");
                case "tool" -> {
                    JsonNode name = choice.get("name");
                    if (name == null || !name.isTextual()) {
                        throw invalid("tool_choice.name: Field required with type tool");
                    }
                    ObjectNode named = NODES.objectNode().put("type", "function");
                    named.putObject("function").put("name", name.asText());
                    yield named;
                }
                default -> throw invalid("tool_choice.type: must be auto, any, tool or none, was '" + type + "'");
            };
            JsonNode single = choice.get("disable_parallel_tool_use");
            if (present(single) && !single.isBoolean()) {
                throw invalid("tool_choice.disable_parallel_tool_use: must be a boolean");
            }
            oneCall = present(single) && single.asBoolean();
        }
        return ToolUse.of(functions, openAiChoice, !oneCall);
    }

    /** OpenAI's function definitions, which chat templates read as {@code tools}. */
    private static ArrayNode functions(JsonNode tools) {
        if (!tools.isArray()) {
            throw invalid("tools: must be an array of {name, description, input_schema}");
        }
        ArrayNode functions = NODES.arrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String where = "tools." + i;
            if (!tool.isObject()) {
                throw invalid(where + ": must be {name, description, input_schema}");
            }
            String type = tool.path("type").asText("custom");
            if (!type.equals("custom")) {
                throw invalid(where + ".type: '" + type + "' is a server tool, which this server does not run; "
                        + "only client tools {name, description, input_schema} are supported");
            }
            keys(tool, TOOL_KEYS, where);
            JsonNode name = tool.get("name");
            if (name == null || !name.isTextual() || name.asText().isEmpty()) {
                throw invalid(where + ".name: Field required");
            }
            JsonNode schema = tool.get("input_schema");
            if (schema == null || !schema.isObject()) {
                throw invalid(where + ".input_schema: must be a JSON Schema object");
            }
            JsonNode description = tool.get("description");
            if (present(description) && !description.isTextual()) {
                throw invalid(where + ".description: must be a string");
            }
            ObjectNode function = functions.addObject().put("type", "function").putObject("function");
            function.put("name", name.asText());
            if (present(description)) {
                function.put("description", description.asText());
            }
            function.set("parameters", schema);
        }
        return functions;
    }

    private static void keys(JsonNode object, Set<String> allowed, String where) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw invalid(where + "." + name + ": not supported by this server");
            }
        }
    }
}
