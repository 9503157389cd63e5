package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * An idle slot keeps its tokens' cache: a new prompt that starts with them prefills only the rest, and its greedy
 * ids are those without the hit (onnxruntime-genai's, where the golden has them).
 */
class PrefixCacheTest {
    private static final JsonNode GENAI = GenaiExportTest.GOLDEN;

    private static ChatEngine engine(boolean prefixCaching) {
        return ChatEngine.load(GenaiExportTest.folder(), Placement.CPU,
                new ChatOptions(2, null, null, true, 0).withPrefillChunk(4).withPrefixCaching(prefixCaching));
    }

    @Test
    void theSamePromptAgainReusesAllButItsLastTokenAndAnswersTheSame() throws Exception {
        int tokens = GENAI.path("greedy_tokens").asInt();
        JsonNode c = GENAI.path("cases").get(0);
        int[] prompt = ChatFixture.ints(c.path("prompt_ids"));
        try (ChatEngine engine = engine(true)) {
            GenerationResult first = engine.generate(ChatFixture.greedy(prompt, tokens));
            assertEquals(0, engine.stats().prefixHits());
            GenerationResult again = engine.generate(ChatFixture.greedy(prompt, tokens));
            assertEquals(2, engine.stats().prefixQueries());
            assertEquals(1, engine.stats().prefixHits());
            assertEquals(prompt.length - 1, engine.stats().prefixHitTokens());
            assertArrayEquals(ChatFixture.ints(c.path("genai_ids")), first.tokenIds());
            assertArrayEquals(ChatFixture.ints(c.path("genai_ids")), again.tokenIds());
            assertEquals(new Usage(prompt.length, tokens), again.usage(), "usage counts the whole prompt");
        }
    }

    @Test
    void everyGoldenPromptAfterTheOthersStillEqualsOnnxruntimeGenai() throws Exception {
        // Rendered chats share the template's opening tokens, so later prompts hit earlier slots' prefixes.
        int tokens = GENAI.path("greedy_tokens").asInt();
        try (ChatEngine engine = engine(true)) {
            for (int round = 0; round < 2; round++) {
                for (JsonNode c : GENAI.path("cases")) {
                    GenerationResult r = engine.generate(ChatFixture.greedy(ChatFixture.ints(c.path("prompt_ids")),
                            tokens));
                    assertArrayEquals(ChatFixture.ints(c.path("genai_ids")), r.tokenIds(),
                            c.path("name").asText() + " round " + round);
                }
            }
            assertTrue(engine.stats().prefixHits() >= GENAI.path("cases").size(), "the second round hits");
        }
    }

    @Test
    void aConversationThatGoesOnPrefillsOnlyItsNewTurnAndMatchesAColdStart() throws Exception {
        int[] prompt = ChatFixture.ints(GENAI.path("cases").get(1).path("prompt_ids"));
        int[] turn;
        int[] warm;
        int[] cold;
        try (ChatEngine engine = engine(true)) {
            int[] answer = engine.generate(ChatFixture.greedy(prompt, 12)).tokenIds();
            // The next request repeats the conversation so far and adds a new user turn.
            turn = concat(prompt, answer, Arrays.copyOfRange(prompt, 1, Math.min(prompt.length, 9)));
            warm = engine.generate(ChatFixture.greedy(turn, 16)).tokenIds();
            assertEquals(prompt.length + answer.length - 1, engine.stats().prefixHitTokens(),
                    "all the cached tokens: the prompt and the answer but its last, never fed");
        }
        try (ChatEngine engine = engine(false)) {
            cold = engine.generate(ChatFixture.greedy(turn, 16)).tokenIds();
            assertEquals(0, engine.stats().prefixQueries());
        }
        assertArrayEquals(cold, warm);
    }

    private static int[] concat(int[]... parts) {
        int[] out = new int[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
