package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.quiver.models.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Structured outputs on the random-weight fixture: the schema's automaton accepts and refuses the right texts, and
 * whatever the weights, every completion parses and validates against its schema (checked by networknt's
 * validator), matches its regex, or is one of its choices.
 */
class StructuredOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    /** Bounded everywhere, so that any path through it ends: what random weights need to finish. */
    private static final String PERSON = """
            {"type":"object","properties":{
              "name":{"type":"string","minLength":1,"maxLength":8},
              "age":{"type":"integer","minimum":0,"maximum":120},
              "role":{"enum":["admin","user",null,3]},
              "ok":{"type":"boolean"},
              "tags":{"type":"array","items":{"type":"string","maxLength":3},"minItems":1,"maxItems":3},
              "home":{"$ref":"#/$defs/place"},
              "note":{"anyOf":[{"type":"null"},{"const":"n/a"}]}},
             "required":["name","age","role","tags","home"],"additionalProperties":false,
             "$defs":{"place":{"type":"object","properties":{"x":{"type":"integer","minimum":-5,"maximum":5}},
                               "required":["x"]}}}""";
    private static final int EOS = ChatFixture.GOLDEN.path("eos_token_id").asInt();
    private static ChatEngine engine;
    private static int[] prompt;

    @BeforeAll
    static void load() {
        engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(4));
        prompt = ChatFixture.ints(ChatFixture.goldenCase("system_user").path("prompt_ids"));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    /** Compiled by the engine, waiting at most a minute. */
    static TokenGrammar grammar(GrammarSource source) {
        try {
            return engine.grammars().get(source, System.nanoTime() + 60_000_000_000L);
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    static boolean matches(TokenGrammar g, String text) {
        return g.matches(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSchemaAutomatonAcceptsExactlyTheSchemasTexts() {
        TokenGrammar g = grammar(new GrammarSource.Json(json(PERSON), "response_format"));
        assertTrue(matches(g, "{\"name\":\"Al\",\"age\":7,\"role\":null,\"tags\":[\"a\"],\"home\":{\"x\":-5}}"));
        assertTrue(matches(g, "{\"name\": \"Zoë\", \"age\": 120, \"role\": 3, \"ok\": true, \"tags\": [\"\\n\", \"b\"],"
                + " \"home\": {\"x\": 0}, \"note\": \"n/a\"}"));
        for (String bad : List.of("{\"name\":\"\",\"age\":7,\"role\":null,\"tags\":[\"a\"],\"home\":{\"x\":1}}",
                "{\"name\":\"Al\",\"age\":121,\"role\":null,\"tags\":[\"a\"],\"home\":{\"x\":1}}",
                "{\"name\":\"Al\",\"age\":07,\"role\":null,\"tags\":[\"a\"],\"home\":{\"x\":1}}",
                "{\"name\":\"Al\",\"age\":7,\"role\":\"root\",\"tags\":[\"a\"],\"home\":{\"x\":1}}",
                "{\"name\":\"Al\",\"age\":7,\"role\":null,\"tags\":[],\"home\":{\"x\":1}}",
                "{\"name\":\"Al\",\"age\":7,\"role\":null,\"tags\":[\"a\"],\"home\":{\"x\":6}}",
                "{\"age\":7,\"name\":\"Al\",\"role\":null,\"tags\":[\"a\"],\"home\":{\"x\":1}}",
                "{\"name\":\"Al\",\"age\":7,\"role\":null,\"tags\":[\"a\"]}")) {
            assertFalse(matches(g, bad), bad);
        }
        TokenGrammar any = grammar(new GrammarSource.Json(null, "response_format"));
        assertTrue(matches(any, "{\"a\":[1,2.5e-3,{\"b\":null}],\"c\":\"d\"}"));
        assertTrue(matches(any, "{}"));
        assertFalse(matches(any, "[1]"), "json_object is an object");
        assertFalse(matches(any, "{\"a\":}"));
        assertSame(g, grammar(new GrammarSource.Json(json(PERSON), "response_format")), "compiled once per schema");
    }

    @Test
    void unsupportedKeywordsAreRefusedByName() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> grammar(new GrammarSource.Json(
                json("{\"type\":\"string\",\"pattern\":\"a+\",\"format\":\"email\"}"), "response_format")));
        assertEquals("response_format", e.param());
        assertTrue(e.getMessage().contains("[format, pattern]"), e.getMessage());
        assertThrows(InvalidRequestException.class, () -> grammar(new GrammarSource.Json(
                json("{\"$defs\":{\"t\":{\"type\":\"array\",\"items\":{\"$ref\":\"#/$defs/t\"}}},\"$ref\":\"#/$defs/t\"}"),
                "response_format")), "recursive schemas");
        assertThrows(InvalidRequestException.class, () -> grammar(new GrammarSource.Regex("(ab",
                "structured_outputs.regex")));
    }

    private static GenerationResult generate(TokenGrammar g, SamplingParams sampling, int tokens) {
        return engine.generate(GenerationRequest.of(prompt, sampling, tokens).withGrammar(g));
    }

    @Test
    void randomWeightsStillWriteValidJson() throws Exception {
        TokenGrammar g = grammar(new GrammarSource.Json(json(PERSON), "response_format"));
        Schema schema = SCHEMAS.getSchema(PERSON);
        for (SamplingParams sampling : List.of(SamplingParams.greedy(),
                SamplingParams.defaults().withTemperature(1.0).withSeed(1L),
                SamplingParams.defaults().withTemperature(1.5).withTopK(40).withSeed(2L),
                SamplingParams.defaults().withTemperature(0.7).withSeed(3L))) {
            GenerationResult r = generate(g, sampling, 400);
            assertEquals(FinishReason.STOP, r.finishReason(), r.content());
            JsonNode value = json(r.content());
            assertEquals(List.of(), schema.validate(value), r.content());
        }
    }

    @Test
    void regexAndChoiceConstrainTheText() {
        TokenGrammar code = grammar(new GrammarSource.Regex("^[A-Z]{2}-\\d{3}(x|y)?$", "structured_outputs.regex"));
        for (long seed = 1; seed <= 3; seed++) {
            String text = generate(code, SamplingParams.defaults().withTemperature(1.0).withSeed(seed), 40).content();
            assertTrue(text.matches("[A-Z]{2}-[0-9]{3}(x|y)?"), text);
        }
        List<String> choices = List.of("yes", "no", "maybe not");
        TokenGrammar choice = grammar(new GrammarSource.Choice(choices, "structured_outputs.choice"));
        for (long seed = 1; seed <= 3; seed++) {
            String text = generate(choice, SamplingParams.defaults().withTemperature(1.0).withSeed(seed), 20)
                    .content();
            assertTrue(choices.contains(text), text);
        }
    }

    /** Not asserted: what the mask step costs per token, cold (first visit of a state) and warm. */
    @Test
    void maskStepCost() {
        TokenGrammar g = grammar(new GrammarSource.Json(json(PERSON), "response_format"));
        GenerationResult r = generate(g, SamplingParams.greedy(), 400);
        int vocab = engine.vocabSize();
        float[] row = new float[vocab];
        long warm = 0;
        // The last of a few passes over the same tokens: the JIT has compiled the step by then.
        for (int pass = 0; pass < 5; pass++) {
            warm = 0;
            int state = g.initial();
            for (int token : r.tokenIds()) {
                long t0 = System.nanoTime();
                BitSet allowed = g.allowed(state);
                Sequence.mask(row, 0, vocab, allowed);
                warm += System.nanoTime() - t0;
                assertTrue(allowed.get(token));
                if (token == EOS) {
                    break;
                }
                state = g.next(state, token);
            }
        }
        long t0 = System.nanoTime();
        GrammarBudget budget = GrammarBudget.of(GrammarLimits.defaults(), "p");
        TokenGrammar fresh = new TokenGrammar(budget.dfa(JsonSchemaAutomaton.of(json(PERSON), budget)),
                engine.vocabulary(), java.util.Set.of(EOS), (grammar, bytes) -> true);
        long compile = System.nanoTime() - t0;
        t0 = System.nanoTime();
        fresh.allowed(fresh.initial());
        long cold = System.nanoTime() - t0;
        System.out.printf("structured output mask: %d states; compile %.1f ms; a state's token set %.2f ms cold;"
                        + " warm step (set lookup + mask of %d logits) %.1f us per token over %d tokens%n",
                g.states(), compile / 1e6, cold / 1e6, vocab, warm / 1e3 / r.tokenIds().length,
                r.tokenIds().length);
        assertTrue(warm > 0);
    }
}
