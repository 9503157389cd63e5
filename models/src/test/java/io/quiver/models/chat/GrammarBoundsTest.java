package io.quiver.models.chat;

import static io.quiver.models.chat.HostileSchemas.nestedArrays;
import static io.quiver.models.chat.HostileSchemas.optionalIntegers;
import static io.quiver.models.chat.HostileSchemas.refFanOut;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What a grammar may cost is bounded while it is built: the schemas and regexes that once compiled for minutes
 * either build in states linear in their text, or are refused by the limit they are over, naming it; a compile past
 * its time or abandoned stops.
 */
class GrammarBoundsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GrammarLimits LIMITS = GrammarLimits.defaults();

    private static GrammarBudget budget() {
        return GrammarBudget.of(LIMITS, "response_format");
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    /** The automaton built for a schema, before it is minimized: its size is the work the build did. */
    private static Nfa built(String schema) {
        return JsonSchemaAutomaton.of(json(schema), budget());
    }

    private static ByteDfa compiled(String schema) {
        GrammarBudget budget = budget();
        return budget.dfa(JsonSchemaAutomaton.of(json(schema), budget));
    }

    @Test
    void optionalPropertiesAndNestedArraysBuildInLinearStates() {
        // Each optional property once doubled the automaton; nested arrays doubled it per level.
        int twelve = built(optionalIntegers(12)).states();
        int twentyFour = built(optionalIntegers(24)).states();
        assertTrue(twentyFour <= 2.5 * twelve, twelve + " states for 12 properties, " + twentyFour + " for 24");
        assertTrue(built(optionalIntegers(1000)).states() <= 100 * twelve, "1000 optional properties");
        int depth12 = built(nestedArrays(12)).states();
        int depth400 = built(nestedArrays(400)).states();
        assertTrue(depth400 <= 40 * depth12, depth12 + " states at depth 12, " + depth400 + " at depth 400");
    }

    @Test
    void theLinearObjectAcceptsExactlyTheSubsequencesInOrder() {
        ByteDfa object = compiled("""
                {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"boolean"},"c":{"type":"null"},
                 "d":{"type":"string","maxLength":2}},"required":["c"]}""");
        List<String> members = List.of("\"a\":1", "\"b\":true", "\"c\":null", "\"d\":\"xy\"");
        for (int subset = 0; subset < 16; subset++) {
            List<String> chosen = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                if ((subset & 1 << i) != 0) {
                    chosen.add(members.get(i));
                }
            }
            String text = "{" + String.join(", ", chosen) + "}";
            assertEquals((subset & 4) != 0, matches(object, text), text);
        }
        for (String bad : List.of("{\"b\":true,\"a\":1,\"c\":null}", "{,\"c\":null}", "{\"c\":null,}",
                "{\"a\":1\"c\":null}", "{\"c\":null,\"c\":null}", "{\"c\":null,\"d\":\"xyz\"}")) {
            assertFalse(matches(object, bad), bad);
        }
        ByteDfa items = compiled("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":2,\"maxItems\":3}");
        assertFalse(matches(items, "[1]"));
        assertTrue(matches(items, "[1, 2]"));
        assertTrue(matches(items, "[1,2,3]"));
        assertFalse(matches(items, "[1,2,3,4]"));
        ByteDfa any = compiled("{\"type\":\"array\"}");
        assertTrue(matches(any, "[]") && matches(any, "[1,\"a\",[{}]]") && !matches(any, "[1,]"));
    }

    @Test
    void eachWorstInputIsRefusedByTheLimitItIsOver() {
        assertOver(GrammarLimits.MAX_STATES, b -> JsonSchemaAutomaton.of(json(refFanOut(4, 6)), b));
        assertOver(GrammarLimits.MAX_REPEAT, b -> JsonSchemaAutomaton.of(
                json("{\"type\":\"string\",\"maxLength\":10000}"), b));
        assertOver(GrammarLimits.MAX_STATES, b -> JsonSchemaAutomaton.of(
                json("{\"type\":\"string\",\"maxLength\":4000}"), b));
        assertOver(GrammarLimits.MAX_REPEAT, b -> JsonSchemaAutomaton.of(
                json("{\"type\":\"array\",\"maxItems\":100000}"), b));
        assertOver(GrammarLimits.MAX_STATES, b -> RegexAutomaton.of("(a|b)*a(a|b){16}", b));
        assertOver(GrammarLimits.MAX_REPEAT, b -> RegexAutomaton.of("[a-z]{0,50000}", b));
        assertOver(GrammarLimits.MAX_STATES, b -> RegexAutomaton.of("((((a{1000}){40}){40}){40})", b));
        assertOver(GrammarLimits.MAX_STATES, b -> RegexAutomaton.of("x".repeat(100_000), b));
        assertOver(GrammarLimits.MAX_STATES, b -> JsonSchemaAutomaton.of(json("{\"enum\":[\"" + "e".repeat(100_000)
                + "\"]}"), b));
        // Many unlike options are refused as their union grows, before they are all built.
        Random random = new Random(3);
        StringBuilder options = new StringBuilder("{\"anyOf\":[");
        for (int i = 0; i < 100_000; i++) {
            options.append(i > 0 ? "," : "").append("{\"const\":\"");
            random.ints(10, 'a', 'z' + 1).forEach(c -> options.append((char) c));
            options.append("\"}");
        }
        assertOver(GrammarLimits.MAX_STATES, b -> JsonSchemaAutomaton.of(json(options + "]}"), b));
        // What stays within the limits compiles, and small.
        assertTrue(compiled(refFanOut(4, 4)).states() < LIMITS.maxStates());
        assertTrue(compiled("{\"type\":\"string\",\"maxLength\":1000}").states() < LIMITS.maxStates());
        List<ToolCalls.Tool> tools = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            tools.add(new ToolCalls.Tool("tool_" + i, null));
        }
        for (ToolCalls family : ToolCalls.values()) {
            GrammarBudget budget = budget();
            ByteDfa forced = budget.dfa(family.forced(tools, budget));
            assertTrue(forced.states() < 2 * budget.dfa(JsonSchemaAutomaton.anyObject()).states() + 4000,
                    family + ": " + forced.states() + " states for 200 tools without parameters");
        }
    }

    private static void assertOver(String limit, Function<GrammarBudget, Nfa> build) {
        GrammarBudget budget = budget();
        GrammarLimitException e = assertThrows(GrammarLimitException.class, () -> budget.dfa(build.apply(budget)));
        assertEquals(limit, e.limit(), e.getMessage());
        assertTrue(e.getMessage().contains(limit), e.getMessage());
        assertEquals("response_format", e.param());
    }

    @Test
    void aCompilePastItsTimeOrWithoutWaitersStops() {
        GrammarBudget late = new GrammarBudget(LIMITS, "p", System.nanoTime() - 1, () -> false);
        GrammarLimitException e = assertThrows(GrammarLimitException.class,
                () -> late.dfa(JsonSchemaAutomaton.of(json(optionalIntegers(24)), late)));
        assertEquals(GrammarLimits.COMPILE_TIMEOUT, e.limit());
        GrammarBudget abandoned = new GrammarBudget(LIMITS, "p", Long.MAX_VALUE, () -> true);
        assertThrows(CancellationException.class, () -> abandoned.dfa(RegexAutomaton.of("[a-z]{0,1000}",
                abandoned)));
    }

    @Test
    void regexesMatchWhatJavaMatches() {
        List<String> regexes = List.of("^[A-Z]{2}-\\d{3}(x|y)?$", "(?:ab|c)+d?", "a{2,}b{0,2}", "[^ab]c*",
                "(?<word>\\w+)\\sx?", "a.b", "[a\\-c]{1,2}", "(a|)b", "x{3}|y{1,}", "\\x41[\\d\\s]", "a\\*b+",
                "(a(b(c)?)?)?");
        Random random = new Random(7);
        String alphabet = "abcdxyAB0- \n*]_";
        for (String regex : regexes) {
            GrammarBudget budget = budget();
            ByteDfa dfa = budget.dfa(RegexAutomaton.of(regex, budget));
            Pattern reference = Pattern.compile(regex, Pattern.DOTALL);
            for (int n = 0; n < 3000; n++) {
                StringBuilder text = new StringBuilder();
                for (int len = random.nextInt(7); len > 0; len--) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                String t = text.toString();
                assertEquals(reference.matcher(t).matches(), matches(dfa, t), regex + " on '" + t + "'");
            }
        }
        for (String refused : List.of("(a", "a)", "[ab", "*a", "a(?=b)", "\\b", "(a)\\1", "a{3,2}", "\\x4")) {
            GrammarBudget budget = budget();
            assertThrows(io.quiver.models.InvalidRequestException.class, () -> RegexAutomaton.of(refused, budget),
                    refused);
        }
    }

    private static boolean matches(ByteDfa dfa, String text) {
        return dfa.matches(text.getBytes(StandardCharsets.UTF_8));
    }
}
