package io.quiver.models.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.InvalidRequestException;
import java.util.List;

/**
 * What a request constrains its completion to, before it is compiled: checked for all that needs no compiling (so
 * those refusals come at once, on the request's thread), and named by a key that tells distinct grammars apart.
 * {@link ChatEngine#grammar} compiles it.
 */
public sealed interface GrammarSource {
    /** The request field refusals name. */
    String param();

    /** Equal for sources that compile to the same grammar. */
    String key();

    /** A JSON Schema; {@code schema} null: any JSON object (OpenAI's {@code json_object}). */
    record Json(JsonNode schema, String param) implements GrammarSource {
        @Override
        public String key() {
            return "json:" + (schema == null ? "object" : schema.toString());
        }
    }

    /** A regular expression the whole completion matches (see {@link RegexAutomaton} for the syntax). */
    record Regex(String regex, String param) implements GrammarSource {
        public Regex {
            if (regex == null || regex.isEmpty()) {
                throw new InvalidRequestException(param, param + " must be a non-empty regular expression");
            }
            if (!regex.chars().allMatch(c -> c < 128)) {
                throw new InvalidRequestException(param, param + ": only ASCII regular expressions are supported");
            }
        }

        @Override
        public String key() {
            return "regex:" + regex;
        }
    }

    /** One of these strings exactly. */
    record Choice(List<String> choices, String param) implements GrammarSource {
        public Choice {
            if (choices == null || choices.isEmpty()) {
                throw new InvalidRequestException(param, param + " must be a non-empty list of strings");
            }
            choices = List.copyOf(choices);
        }

        @Override
        public String key() {
            return "choice:" + String.join("\u0000", choices);
        }
    }

    /** Exactly one call of one of {@code tools}, as the chat template's family writes calls. */
    record Tools(ToolCalls family, List<ToolCalls.Tool> tools, String param) implements GrammarSource {
        public Tools {
            tools = List.copyOf(tools);
        }

        @Override
        public String key() {
            StringBuilder key = new StringBuilder("tools:" + family);
            tools.forEach(t -> key.append('\u0000').append(t.name()).append('\u0000').append(t.parameters()));
            return key.toString();
        }
    }
}
