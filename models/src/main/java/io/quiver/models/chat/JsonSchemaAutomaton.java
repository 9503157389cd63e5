package io.quiver.models.chat;

import static io.quiver.models.chat.JsonText.ANY;
import static io.quiver.models.chat.JsonText.ANY_DEPTH;
import static io.quiver.models.chat.JsonText.ANY_OBJECT;
import static io.quiver.models.chat.JsonText.CHARACTER;
import static io.quiver.models.chat.JsonText.COLON;
import static io.quiver.models.chat.JsonText.COMMA;
import static io.quiver.models.chat.JsonText.INTEGER;
import static io.quiver.models.chat.JsonText.NUMBER;
import static io.quiver.models.chat.JsonText.STRING;
import static io.quiver.models.chat.JsonText.members;
import static io.quiver.models.chat.JsonText.naturals;
import static io.quiver.models.chat.JsonText.separated;
import static io.quiver.models.chat.JsonText.string;
import static io.quiver.models.chat.JsonText.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.models.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON texts a JSON Schema allows, as a finite automaton over UTF-8 bytes (each byte one char 0–255), which
 * {@link TokenGrammar} runs token by token. The subset (anything else is refused, naming the keywords): {@code type}
 * (one or a list), {@code properties} / {@code required} (properties come in their declared order; optional ones
 * may be left out; no others are written), {@code additionalProperties} (an object without properties and not
 * {@code false} is any object), {@code enum}, {@code const}, {@code anyOf}, local {@code $ref} into
 * {@code $defs}/{@code definitions} (not recursive), {@code items} with {@code minItems}/{@code maxItems},
 * {@code minLength}/{@code maxLength}, integer {@code minimum}/{@code maximum} (and their exclusive forms). Texts
 * are compact: no whitespace but one optional space after {@code :} and {@code ,}. Free-form values (an empty
 * schema, {@code json_object}) nest at most {@link JsonText#ANY_DEPTH} levels.
 *
 * <p>Built under a {@link GrammarBudget}, so that its size grows with the schema's text and the counts in it, each
 * within the limits: optional properties and array items take one copy of their value each (not one per
 * combination of the ones before), every sub-schema's automaton is minimized before it is used again, a
 * {@code $ref} target is built once, and counts are checked before anything is repeated by them.
 */
final class JsonSchemaAutomaton {
    private static final int MAX_REF_DEPTH = 8;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment",
            "examples", "default", "$defs", "definitions", "strict", "deprecated", "readOnly", "writeOnly");
    private static final Set<String> SUPPORTED = Set.of("type", "properties", "required", "additionalProperties",
            "enum", "const", "anyOf", "$ref", "items", "minItems", "maxItems", "minLength", "maxLength", "minimum",
            "maximum", "exclusiveMinimum", "exclusiveMaximum");

    private final JsonNode root;
    private final GrammarBudget budget;
    private final String param;
    /** {@code $ref} targets built so far: a target used n times is built once. */
    private final Map<JsonNode, Nfa> targets = new IdentityHashMap<>();

    private JsonSchemaAutomaton(JsonNode root, GrammarBudget budget) {
        this.root = root;
        this.budget = budget;
        this.param = budget.param();
    }

    /** The automaton of a schema, within the budget (whose param names the request field in refusals). */
    static Nfa of(JsonNode schema, GrammarBudget budget) {
        return new JsonSchemaAutomaton(schema, budget).value(schema, 0);
    }

    /** Any JSON object (OpenAI's {@code json_object}); shared, so only for operations that copy. */
    static Nfa anyObject() {
        return ANY_OBJECT;
    }

    private Nfa value(JsonNode schema, int refs) {
        budget.checkTime();
        if (schema.isBoolean() && schema.asBoolean() || schema.isObject() && schema.isEmpty()) {
            return ANY[ANY_DEPTH];
        }
        if (!schema.isObject()) {
            throw refuse("a schema must be an object, was " + schema);
        }
        Set<String> unsupported = new TreeSet<>();
        schema.fieldNames().forEachRemaining(k -> {
            if (!SUPPORTED.contains(k) && !ANNOTATIONS.contains(k)) {
                unsupported.add(k);
            }
        });
        if (!unsupported.isEmpty()) {
            throw refuse("unsupported JSON Schema keywords " + unsupported + " (supported: " + new TreeSet<>(SUPPORTED)
                    + ")");
        }
        if (schema.has("$ref")) {
            JsonNode target = resolve(schema.get("$ref").asText(), refs);
            Nfa built = targets.get(target);
            if (built == null) {
                built = value(target, refs + 1);
                targets.put(target, built);
            }
            return built;
        }
        if (schema.has("const")) {
            return literal(schema.get("const"));
        }
        if (schema.has("enum")) {
            List<Nfa> values = new ArrayList<>();
            long states = 0;
            for (JsonNode v : schema.get("enum")) {
                Nfa text = literal(v);
                states += text.states();
                budget.fits(states, "enum");
                values.add(text);
            }
            if (values.isEmpty()) {
                throw refuse("enum must not be empty");
            }
            return budget.minimal(Nfa.union(values));
        }
        if (schema.has("anyOf")) {
            if (schema.get("anyOf").isEmpty()) {
                throw refuse("anyOf must not be empty");
            }
            GrammarBudget.Union options = budget.new Union();
            schema.get("anyOf").forEach(s -> options.add(value(s, refs)));
            return budget.minimal(options.build());
        }
        JsonNode type = schema.get("type");
        if (type == null) {
            if (schema.has("properties")) {
                return objectOf(schema, refs);
            }
            if (schema.has("items")) {
                return arrayOf(schema, refs);
            }
            return ANY[ANY_DEPTH];
        }
        if (!type.isArray()) {
            return typed(type.asText(), schema, refs);
        }
        if (type.isEmpty()) {
            throw refuse("type must not be an empty list");
        }
        GrammarBudget.Union types = budget.new Union();
        type.forEach(t -> types.add(typed(t.asText(), schema, refs)));
        return budget.minimal(types.build());
    }

    private Nfa typed(String type, JsonNode schema, int refs) {
        return switch (type) {
            case "object" -> objectOf(schema, refs);
            case "array" -> arrayOf(schema, refs);
            case "string" -> boundedString(schema);
            case "integer" -> integer(schema);
            case "number" -> {
                if (schema.has("minimum") || schema.has("maximum") || schema.has("exclusiveMinimum")
                        || schema.has("exclusiveMaximum")) {
                    throw refuse("minimum and maximum are supported on integers only");
                }
                yield NUMBER;
            }
            case "boolean" -> Nfa.union(text("true"), text("false"));
            case "null" -> text("null");
            default -> throw refuse("unknown type '" + type + "'");
        };
    }

    private JsonNode resolve(String ref, int refs) {
        if (refs >= MAX_REF_DEPTH) {
            throw refuse("$ref nests deeper than " + MAX_REF_DEPTH + " (recursive schemas are not supported)");
        }
        if (!ref.startsWith("#/")) {
            throw refuse("only local $ref (#/$defs/...) is supported, was " + ref);
        }
        JsonNode target = root.at(ref.substring(1));
        if (target.isMissingNode()) {
            throw refuse("$ref " + ref + " points nowhere");
        }
        return target;
    }

    private Nfa objectOf(JsonNode schema, int refs) {
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        if (properties.isEmpty()) {
            return additional.isBoolean() && !additional.asBoolean() ? text("{}") : ANY_OBJECT;
        }
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        List<Nfa> members = new ArrayList<>();
        List<Boolean> optional = new ArrayList<>();
        long states = 0;
        for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            Nfa key = budget.text(quote(name), "a property name");
            Nfa value = value(properties.get(name), refs);
            states += key.states() + COLON.states() + value.states() + COMMA.states() + 3;
            budget.fits(states, "the object's properties");
            members.add(Nfa.concat(key, COLON, value));
            optional.add(!required.contains(name));
        }
        return budget.minimal(Nfa.concat(text("{"), members(members, optional), text("}")));
    }

    private Nfa arrayOf(JsonNode schema, int refs) {
        JsonNode items = schema.get("items");
        Nfa item = items == null ? ANY[ANY_DEPTH - 1] : value(items, refs);
        int min = bound(schema, "minItems", 0);
        int max = bound(schema, "maxItems", -1);
        if (max >= 0 && min > max) {
            throw refuse("minItems is above maxItems");
        }
        if (max == 0) {
            return text("[]");
        }
        Nfa list;
        if (max < 0 && min <= 1) {
            list = separated(item);
        } else {
            long copies = max < 0 ? min + 1 : max;
            budget.fits(copies * (item.states() + COMMA.states() + 2), "an array of " + copies + " items");
            Nfa more = Nfa.concat(COMMA, item).repeat(Math.max(0, min - 1), max < 0 ? -1 : max - 1);
            list = Nfa.concat(item, more);
        }
        return budget.minimal(Nfa.concat(text("["), min == 0 ? list.optional() : list, text("]")));
    }

    private Nfa boundedString(JsonNode schema) {
        int min = bound(schema, "minLength", 0);
        int max = bound(schema, "maxLength", -1);
        if (max < 0 && min == 0) {
            return STRING;
        }
        if (max >= 0 && min > max) {
            throw refuse("minLength is above maxLength");
        }
        budget.fits((long) (max < 0 ? min + 1 : max) * (CHARACTER.states() + 1), "a string of "
                + Math.max(min, max) + " characters");
        return budget.minimal(string(CHARACTER.repeat(min, max)));
    }

    private Nfa integer(JsonNode schema) {
        Long lo = integerBound(schema, "minimum", "exclusiveMinimum", 1);
        Long hi = integerBound(schema, "maximum", "exclusiveMaximum", -1);
        if (lo == null && hi == null) {
            return INTEGER;
        }
        long low = lo == null ? Integer.MIN_VALUE : lo;
        long high = hi == null ? Integer.MAX_VALUE : hi;
        if (low < Integer.MIN_VALUE || high > Integer.MAX_VALUE) {
            throw refuse("integer bounds must fit 32 bits");
        }
        if (low > high) {
            throw refuse("minimum is above maximum");
        }
        List<Nfa> parts = new ArrayList<>();
        if (high >= 0) {
            parts.add(naturals(Math.max(0, low), high));
        }
        if (low < 0) {
            // Negative values: a minus sign and a magnitude in [max(1, -high), -low].
            parts.add(Nfa.concat(text("-"), naturals(Math.max(1, -high), -low)));
        }
        return budget.minimal(Nfa.union(parts));
    }

    private Long integerBound(JsonNode schema, String inclusive, String exclusive, int step) {
        Long bound = null;
        if (schema.has(inclusive)) {
            bound = whole(schema.get(inclusive), inclusive);
        }
        if (schema.has(exclusive)) {
            long e = whole(schema.get(exclusive), exclusive) + step;
            bound = bound == null ? e : step > 0 ? Math.max(bound, e) : Math.min(bound, e);
        }
        return bound;
    }

    private long whole(JsonNode n, String keyword) {
        if (!n.isNumber() || n.asDouble() != Math.rint(n.asDouble())) {
            throw refuse(keyword + " must be a whole number, was " + n);
        }
        if (!n.canConvertToLong()) {
            throw refuse("integer bounds must fit 32 bits");
        }
        return n.asLong();
    }

    /** A count keyword's value, at most the repeat limit. */
    private int bound(JsonNode schema, String keyword, int absent) {
        JsonNode n = schema.get(keyword);
        if (n == null) {
            return absent;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw refuse(keyword + " must be a non-negative integer, was " + n);
        }
        return budget.count(n.asLong(), keyword);
    }

    private InvalidRequestException refuse(String message) {
        return new InvalidRequestException(param, param + ": " + message);
    }

    /** A JSON value written compactly, as its bytes, if its text fits the budget. */
    private Nfa literal(JsonNode value) {
        try {
            String text = JSON.writeValueAsString(value);
            return budget.text(text, "a literal of " + text.length() + " characters");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quote(String name) {
        try {
            return JSON.writeValueAsString(name);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
