package io.quiver.runtime.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.chat.ToolUse;
import java.util.Set;

/**
 * A Responses request's function tools and {@code tool_choice}, checked in this API's shapes (a tool is
 * {@code {type: function, name, description, parameters, strict}}, a named choice {@code {type: function, name}})
 * and handed to {@link ToolUse} in chat's, which the chat template renders and the answer is read with. OpenAI's
 * hosted tools (web search, file search, code interpreter, MCP, ...) are refused: this server runs no tools itself.
 */
final class ResponseTools {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> FUNCTION_FIELDS = Set.of("type", "name", "description", "parameters", "strict");

    private ResponseTools() {
    }

    /**
     * The request's tool use, or null when it has none (no tools, or {@code tool_choice: none}); {@code parallel}:
     * {@code parallel_tool_calls}, null meaning true.
     */
    static ToolUse of(JsonNode tools, JsonNode choice, Boolean parallel) {
        return ToolUse.of(chatTools(tools), chatChoice(choice), parallel);
    }

    private static JsonNode chatTools(JsonNode tools) {
        if (tools == null || tools.isNull()) {
            return null;
        }
        if (!tools.isArray()) {
            throw ApiException.invalid("tools", "tools must be an array of {type: function, name, description, "
                    + "parameters, strict}");
        }
        ArrayNode out = NODES.arrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String where = "tools[" + i + "]";
            String type = tool.path("type").asText("");
            if (!type.equals("function")) {
                throw ApiException.invalid(where + ".type", where + ".type '" + type + "' is not supported: this "
                        + "server serves function tools only");
            }
            if (tool.has("function") && !tool.has("name")) {
                throw ApiException.invalid(where, where + " is in chat completions' shape; a Responses tool is "
                        + "{type: function, name, description, parameters, strict}");
            }
            if (!tool.path("name").isTextual() || tool.get("name").asText().isEmpty()) {
                throw ApiException.invalid(where + ".name", where + ".name is required");
            }
            tool.fieldNames().forEachRemaining(name -> {
                if (!FUNCTION_FIELDS.contains(name) && !tool.get(name).isNull()) {
                    throw ApiException.invalid(where + "." + name, where + "." + name + " is not supported "
                            + "(a function tool takes " + FUNCTION_FIELDS + ")");
                }
            });
            JsonNode parameters = tool.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw ApiException.invalid(where + ".parameters", where + ".parameters must be a JSON Schema object");
            }
            ObjectNode function = NODES.objectNode().put("name", tool.get("name").asText());
            for (String field : new String[] {"description", "parameters", "strict"}) {
                if (tool.has(field) && !tool.get(field).isNull()) {
                    function.set(field, tool.get(field));
                }
            }
            out.addObject().put("type", "function").set("function", function);
        }
        return out;
    }

    private static JsonNode chatChoice(JsonNode choice) {
        if (choice == null || choice.isNull()) {
            return choice;
        }
        if (choice.isTextual()) {
            if (!Set.of("none", "auto", "required").contains(choice.asText())) {
                throw ApiException.invalid("tool_choice", "tool_choice must be none, auto, required or {type: "
                        + "function, name}, was '" + choice.asText() + "'");
            }
            return choice;
        }
        String type = choice.path("type").asText("");
        if (!type.equals("function")) {
            throw ApiException.invalid("tool_choice", "tool_choice must be none, auto, required or {type: function, "
                    + "name}; '" + type + "' is not supported");
        }
        if (!choice.path("name").isTextual()) {
            throw ApiException.invalid("tool_choice", "tool_choice {type: function} needs the function's name");
        }
        ObjectNode out = NODES.objectNode().put("type", "function");
        out.putObject("function").put("name", choice.get("name").asText());
        return out;
    }
}
