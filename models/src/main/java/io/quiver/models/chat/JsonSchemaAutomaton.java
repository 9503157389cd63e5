package io.quiver.models.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dk.brics.automaton.Automaton;
import dk.brics.automaton.BasicAutomata;
import io.quiver.models.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
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
 * schema, {@code json_object}) nest at most {@link #ANY_DEPTH} levels.
 */
final class JsonSchemaAutomaton {
    static final int ANY_DEPTH = 4;
    private static final int MAX_REF_DEPTH = 8;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment",
            "examples", "default", "$defs", "definitions", "strict", "deprecated", "readOnly", "writeOnly");
    private static final Set<String> SUPPORTED = Set.of("type", "properties", "required", "additionalProperties",
            "enum", "const", "anyOf", "$ref", "items", "minItems", "maxItems", "minLength", "maxLength", "minimum",
            "maximum", "exclusiveMinimum", "exclusiveMaximum");

    private final JsonNode root;
    private final String param;

    private JsonSchemaAutomaton(JsonNode root, String param) {
        this.root = root;
        this.param = param;
    }

    /** The automaton of a schema; {@code param} names the request field in refusals. */
    static Automaton of(JsonNode schema, String param) {
        Automaton a = new JsonSchemaAutomaton(schema, param).value(schema, 0);
        a.minimize();
        return a;
    }

    /** Any JSON object (OpenAI's {@code json_object}). */
    static Automaton anyObject() {
        Automaton a = object(anyValue(ANY_DEPTH - 1));
        a.minimize();
        return a;
    }

    private Automaton value(JsonNode schema, int refs) {
        if (schema.isBoolean() && schema.asBoolean() || schema.isObject() && schema.isEmpty()) {
            return anyValue(ANY_DEPTH);
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
            return value(resolve(schema.get("$ref").asText(), refs), refs + 1);
        }
        if (schema.has("const")) {
            return literal(schema.get("const"));
        }
        if (schema.has("enum")) {
            List<Automaton> values = new ArrayList<>();
            schema.get("enum").forEach(v -> values.add(literal(v)));
            if (values.isEmpty()) {
                throw refuse("enum must not be empty");
            }
            return Automaton.union(values);
        }
        if (schema.has("anyOf")) {
            List<Automaton> options = new ArrayList<>();
            schema.get("anyOf").forEach(s -> options.add(value(s, refs)));
            if (options.isEmpty()) {
                throw refuse("anyOf must not be empty");
            }
            return Automaton.union(options);
        }
        JsonNode type = schema.get("type");
        if (type == null) {
            if (schema.has("properties")) {
                return objectOf(schema, refs);
            }
            if (schema.has("items")) {
                return arrayOf(schema, refs);
            }
            return anyValue(ANY_DEPTH);
        }
        List<Automaton> types = new ArrayList<>();
        for (JsonNode t : type.isArray() ? type : List.of(type)) {
            types.add(typed(t.asText(), schema, refs));
        }
        return Automaton.union(types);
    }

    private Automaton typed(String type, JsonNode schema, int refs) {
        return switch (type) {
            case "object" -> objectOf(schema, refs);
            case "array" -> arrayOf(schema, refs);
            case "string" -> string(bound(schema, "minLength", 0), bound(schema, "maxLength", -1));
            case "integer" -> integer(schema);
            case "number" -> {
                if (schema.has("minimum") || schema.has("maximum") || schema.has("exclusiveMinimum")
                        || schema.has("exclusiveMaximum")) {
                    throw refuse("minimum and maximum are supported on integers only");
                }
                yield number();
            }
            case "boolean" -> text("true").union(text("false"));
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

    private Automaton objectOf(JsonNode schema, int refs) {
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.path("additionalProperties");
        if (properties.isEmpty()) {
            return additional.isBoolean() && !additional.asBoolean() ? text("{}") : object(anyValue(ANY_DEPTH - 1));
        }
        Set<String> required = new HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        List<Automaton> members = new ArrayList<>();
        List<Boolean> optional = new ArrayList<>();
        for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            members.add(text(quote(name)).concatenate(colon()).concatenate(value(properties.get(name), refs)));
            optional.add(!required.contains(name));
        }
        // rest[i]: members i.. after at least one was written (each present one led by a comma);
        // first[i]: members i.. before any was.
        int n = members.size();
        Automaton rest = BasicAutomata.makeEmptyString();
        Automaton first = BasicAutomata.makeEmptyString();
        for (int i = n - 1; i >= 0; i--) {
            Automaton withRest = members.get(i).concatenate(rest);
            Automaton nextRest = comma().concatenate(withRest);
            Automaton nextFirst = withRest;
            if (optional.get(i)) {
                nextRest = nextRest.union(rest);
                nextFirst = nextFirst.union(first);
            }
            rest = nextRest;
            first = nextFirst;
        }
        return text("{").concatenate(first).concatenate(text("}"));
    }

    private Automaton arrayOf(JsonNode schema, int refs) {
        JsonNode items = schema.get("items");
        Automaton item = items == null ? anyValue(ANY_DEPTH - 1) : value(items, refs);
        int min = bound(schema, "minItems", 0);
        int max = bound(schema, "maxItems", -1);
        return array(item, min, max);
    }

    private Automaton integer(JsonNode schema) {
        Long lo = integerBound(schema, "minimum", "exclusiveMinimum", 1);
        Long hi = integerBound(schema, "maximum", "exclusiveMaximum", -1);
        if (lo == null && hi == null) {
            return integerText();
        }
        long low = lo == null ? Integer.MIN_VALUE : lo;
        long high = hi == null ? Integer.MAX_VALUE : hi;
        if (low < Integer.MIN_VALUE || high > Integer.MAX_VALUE) {
            throw refuse("integer bounds must fit 32 bits");
        }
        if (low > high) {
            throw refuse("minimum is above maximum");
        }
        List<Automaton> parts = new ArrayList<>();
        if (high >= 0) {
            parts.add(naturals(Math.max(0, low), high));
        }
        if (low < 0) {
            // Negative values: a minus sign and a magnitude in [max(1, -high), -low].
            parts.add(text("-").concatenate(naturals(Math.max(1, -high), -low)));
        }
        return Automaton.union(parts);
    }

    /** Decimal naturals in [lo, hi] without leading zeros. */
    private static Automaton naturals(long lo, long hi) {
        Automaton interval = BasicAutomata.makeInterval((int) lo, (int) Math.min(hi, Integer.MAX_VALUE), 0);
        return interval.intersection(naturalText());
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
        return n.asLong();
    }

    private int bound(JsonNode schema, String keyword, int absent) {
        JsonNode n = schema.get(keyword);
        if (n == null) {
            return absent;
        }
        if (!n.canConvertToInt() || n.asInt() < 0) {
            throw refuse(keyword + " must be a non-negative integer, was " + n);
        }
        return n.asInt();
    }

    private InvalidRequestException refuse(String message) {
        return new InvalidRequestException(param, param + ": " + message);
    }

    // The JSON grammar, over UTF-8 bytes.

    static Automaton anyValue(int depth) {
        List<Automaton> scalars = new ArrayList<>(List.of(string(0, -1), number(), text("true"), text("false"),
                text("null")));
        if (depth > 0) {
            Automaton inner = anyValue(depth - 1);
            scalars.add(object(inner));
            scalars.add(array(inner, 0, -1));
        }
        Automaton a = Automaton.union(scalars);
        a.minimize();
        return a;
    }

    /** An object with any keys and values from {@code value}. */
    private static Automaton object(Automaton value) {
        Automaton member = string(0, -1).concatenate(colon()).concatenate(value);
        Automaton members = member.concatenate(comma().concatenate(member).repeat()).optional();
        return text("{").concatenate(members).concatenate(text("}"));
    }

    private static Automaton array(Automaton item, int min, int max) {
        if (max == 0) {
            return text("[]");
        }
        Automaton more = comma().concatenate(item);
        Automaton tail = max < 0 ? more.repeat(Math.max(0, min - 1)) : more.repeat(Math.max(0, min - 1), max - 1);
        Automaton items = item.concatenate(tail);
        return text("[").concatenate(min == 0 ? items.optional() : items).concatenate(text("]"));
    }

    private static Automaton string(int minLength, int maxLength) {
        Automaton character = Automaton.union(List.of(
                // printable ASCII but the quote and the backslash
                BasicAutomata.makeCharRange(' ', '!'), BasicAutomata.makeCharRange('#', '['),
                BasicAutomata.makeCharRange(']', '~'),
                // well-formed multi-byte UTF-8
                range(0xC2, 0xDF).concatenate(continuation(1)),
                range(0xE0, 0xEF).concatenate(continuation(2)),
                range(0xF0, 0xF4).concatenate(continuation(3)),
                // escapes
                text("\\").concatenate(Automaton.union(List.of(BasicAutomata.makeCharSet("\"\\/bfnrt"),
                        text("u").concatenate(hex().repeat(4, 4)))))));
        Automaton body = maxLength < 0 ? character.repeat(minLength) : character.repeat(minLength, maxLength);
        return text("\"").concatenate(body).concatenate(text("\""));
    }

    private static Automaton number() {
        Automaton fraction = text(".").concatenate(digits().repeat(1)).optional();
        Automaton exponent = BasicAutomata.makeCharSet("eE").concatenate(BasicAutomata.makeCharSet("+-").optional())
                .concatenate(digits().repeat(1)).optional();
        return integerText().concatenate(fraction).concatenate(exponent);
    }

    private static Automaton integerText() {
        return text("-").optional().concatenate(naturalText());
    }

    private static Automaton naturalText() {
        return text("0").union(BasicAutomata.makeCharRange('1', '9').concatenate(digits().repeat()));
    }

    private static Automaton digits() {
        return BasicAutomata.makeCharRange('0', '9');
    }

    private static Automaton hex() {
        return Automaton.union(List.of(digits(), BasicAutomata.makeCharRange('a', 'f'),
                BasicAutomata.makeCharRange('A', 'F')));
    }

    private static Automaton range(int from, int to) {
        return BasicAutomata.makeCharRange((char) from, (char) to);
    }

    private static Automaton continuation(int n) {
        return range(0x80, 0xBF).repeat(n, n);
    }

    private static Automaton colon() {
        return text(":").concatenate(text(" ").optional());
    }

    private static Automaton comma() {
        return text(",").concatenate(text(" ").optional());
    }

    /** A JSON value written compactly, as its bytes. */
    private static Automaton literal(JsonNode value) {
        try {
            return text(JSON.writeValueAsString(value));
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

    /** The automaton of a text's UTF-8 bytes. */
    static Automaton text(String s) {
        return BasicAutomata.makeString(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1));
    }
}
