package io.quiver.models.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dk.brics.automaton.Automaton;
import dk.brics.automaton.BasicAutomata;
import dk.brics.automaton.RegExp;
import io.quiver.models.InvalidRequestException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One engine's compiled structured-output grammars, by source: compiling a schema and its per-state token sets
 * costs milliseconds to seconds, so repeated requests with the same schema (the usual case) pay it once. The least
 * recently used are dropped past {@link #CAPACITY}.
 */
final class Grammars {
    static final int CAPACITY = 64;
    /** Regular expressions: brics syntax over bytes; Perl's classes are read as their ASCII sets. */
    private static final Map<String, String> CLASSES = Map.of("\\d", "[0-9]", "\\w", "[a-zA-Z0-9_]",
            "\\s", "[ \t\n\r]", "\\D", "[^0-9]", "\\W", "[^a-zA-Z0-9_]", "\\S", "[^ \t\n\r]");
    private final Map<String, TokenGrammar> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TokenGrammar> eldest) {
            return size() > CAPACITY;
        }
    };

    TokenGrammar json(JsonNode schema, String param, Function<Automaton, TokenGrammar> compile) {
        String key = "json:" + (schema == null ? "object" : schema.toString());
        return cached(key, () -> compile.apply(schema == null ? JsonSchemaAutomaton.anyObject()
                : JsonSchemaAutomaton.of(schema, param)));
    }

    TokenGrammar regex(String regex, String param, Function<Automaton, TokenGrammar> compile) {
        return cached("regex:" + regex, () -> compile.apply(regexAutomaton(regex, param)));
    }

    TokenGrammar choice(List<String> choices, String param, Function<Automaton, TokenGrammar> compile) {
        if (choices == null || choices.isEmpty()) {
            throw new InvalidRequestException(param, param + " must be a non-empty list of strings");
        }
        return cached("choice:" + String.join("\u0000", choices), () -> {
            List<Automaton> options = new ArrayList<>();
            choices.forEach(c -> options.add(JsonSchemaAutomaton.text(c)));
            Automaton a = Automaton.union(options);
            a.minimize();
            return compile.apply(a);
        });
    }

    TokenGrammar tools(ToolCalls family, List<ToolCalls.Tool> tools, String param,
                       Function<Automaton, TokenGrammar> compile) {
        StringBuilder key = new StringBuilder("tools:" + family);
        tools.forEach(t -> key.append('\u0000').append(t.name()).append('\u0000').append(t.parameters()));
        return cached(key.toString(), () -> compile.apply(family.forced(tools, param)));
    }

    static Automaton regexAutomaton(String regex, String param) {
        if (regex == null || regex.isEmpty()) {
            throw new InvalidRequestException(param, param + " must be a non-empty regular expression");
        }
        if (!regex.chars().allMatch(c -> c < 128)) {
            throw new InvalidRequestException(param, param + ": only ASCII regular expressions are supported");
        }
        String source = regex.startsWith("^") ? regex.substring(1) : regex;
        source = source.endsWith("$") && !source.endsWith("\\$") ? source.substring(0, source.length() - 1) : source;
        for (Map.Entry<String, String> c : CLASSES.entrySet()) {
            source = source.replace(c.getKey(), c.getValue());
        }
        try {
            Automaton a = new RegExp(source, RegExp.NONE).toAutomaton()
                    .intersection(BasicAutomata.makeCharRange('\u0000', '\u00ff').repeat());
            a.minimize();
            if (a.isEmpty()) {
                throw new InvalidRequestException(param, param + " matches no text");
            }
            return a;
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(param, param + " is not a valid regular expression: " + e.getMessage());
        }
    }

    private TokenGrammar cached(String key, Supplier<TokenGrammar> build) {
        synchronized (cache) {
            TokenGrammar g = cache.get(key);
            if (g != null) {
                return g;
            }
        }
        TokenGrammar built = build.get();
        synchronized (cache) {
            return cache.computeIfAbsent(key, k -> built);
        }
    }
}
