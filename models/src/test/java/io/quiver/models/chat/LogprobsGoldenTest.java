package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.Fixtures;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Log probabilities of the completion and of the prompt against onnxruntime's Python session on the same graph
 * (models/fixtures/chat/logprobs.py: log-softmax of every position's raw logits).
 */
class LogprobsGoldenTest {
    private static final JsonNode GOLDEN = Fixtures.golden(ChatFixture.NAME + "-logprobs");
    private static final double TOLERANCE = 1e-4;
    private static final int GOLDEN_BOS = ChatFixture.GOLDEN.path("bos_token_id").asInt();
    private static ChatEngine engine;

    @BeforeAll
    static void load() {
        engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(2));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** What a listener saw: the scored prompt, the deltas' scored tokens, the end. */
    private record Scored(List<TokenLogprob> prompt, List<TokenLogprob> completion, FinishReason reason) {
    }

    private static Scored run(GenerationRequest request) throws Exception {
        List<TokenLogprob> prompt = new ArrayList<>();
        List<TokenLogprob> completion = new ArrayList<>();
        CompletableFuture<FinishReason> end = new CompletableFuture<>();
        engine.submit(request, new GenerationListener() {
            @Override
            public void onPromptScored(List<TokenLogprob> logprobs) {
                prompt.addAll(logprobs);
            }

            @Override
            public void onDelta(Delta delta) {
                assertEquals(delta.tokenIds().length, delta.logprobs().isEmpty() ? 0 : delta.logprobs().size());
                completion.addAll(delta.logprobs());
            }

            @Override
            public void onComplete(FinishReason reason, Usage usage) {
                end.complete(reason);
            }

            @Override
            public void onError(Throwable error) {
                end.completeExceptionally(error);
            }
        });
        return new Scored(prompt, completion, end.get(30, TimeUnit.SECONDS));
    }

    private static void assertPosition(JsonNode expected, TokenLogprob actual, String where) {
        assertEquals(expected.path("next_id").asInt(), actual.token(), where);
        assertEquals(expected.path("logprob").asDouble(), actual.logprob(), TOLERANCE, where);
        JsonNode ids = expected.path("top_ids");
        assertEquals(ids.size(), actual.topIds().length, where);
        for (int k = 0; k < ids.size(); k++) {
            assertEquals(ids.get(k).asInt(), actual.topIds()[k], where + " top " + k);
            assertEquals(expected.path("top_logprobs").get(k).asDouble(), actual.topLogprobs()[k], TOLERANCE,
                    where + " top " + k);
        }
    }

    @Test
    void greedyCompletionAndPromptMatchOnnxRuntime() throws Exception {
        int[] prompt = ChatFixture.ints(GOLDEN.path("prompt_ids"));
        int[] completion = ChatFixture.ints(GOLDEN.path("completion_ids"));
        JsonNode positions = GOLDEN.path("positions");
        Scored scored = run(ChatFixture.greedy(prompt, completion.length).withLogprobs(5, 5));
        assertEquals(FinishReason.LENGTH, scored.reason());
        assertEquals(prompt.length - 1, scored.prompt().size());
        for (int i = 0; i < prompt.length - 1; i++) {
            assertPosition(positions.get(i), scored.prompt().get(i), "prompt position " + i);
        }
        assertEquals(completion.length, scored.completion().size());
        for (int i = 0; i < completion.length; i++) {
            assertPosition(positions.get(prompt.length - 1 + i), scored.completion().get(i), "completion token " + i);
        }
    }

    @Test
    void logprobsAreRawWhateverTheSamplerDoes() throws Exception {
        int[] prompt = ChatFixture.ints(GOLDEN.path("prompt_ids"));
        JsonNode first = GOLDEN.path("positions").get(prompt.length - 1);
        SamplingParams skewed = new SamplingParams(1.7, 0.5, 3, 0.0, 7L, 1.5, 1.0, 1.3);
        Scored scored = run(GenerationRequest.of(prompt, skewed, 1).withIgnoreEos(true).withLogprobs(5, -1));
        TokenLogprob token = scored.completion().getFirst();
        assertArrayEquals(ChatFixture.ints(first.path("top_ids")), token.topIds());
        for (int k = 0; k < token.topIds().length; k++) {
            assertEquals(first.path("top_logprobs").get(k).asDouble(), token.topLogprobs()[k], TOLERANCE);
        }
        assertTrue(scored.prompt().isEmpty(), "the prompt is scored only when asked");
    }

    @Test
    void promptOnlyScoresThePromptAndGeneratesNothing() throws Exception {
        int[] prompt = ChatFixture.ints(GOLDEN.path("prompt_ids"));
        Scored scored = run(ChatFixture.greedy(prompt, 1).scoringPromptOnly(0));
        assertEquals(FinishReason.LENGTH, scored.reason());
        assertEquals(prompt.length - 1, scored.prompt().size());
        assertTrue(scored.completion().isEmpty());
        assertEquals(0, scored.prompt().getFirst().topIds().length);
        assertEquals(GOLDEN.path("positions").get(0).path("logprob").asDouble(), scored.prompt().getFirst().logprob(),
                TOLERANCE);
    }

    @Test
    void tokenBytesSpellTheText() {
        String text = "Grüße, 世界! 2 + 2 = 4\n\tok";
        int[] ids = engine.encode(text);
        assertEquals(GOLDEN_BOS, ids[0], "the tokenizer prepends BOS");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i < ids.length; i++) {
            out.writeBytes(engine.tokenBytes(ids[i]));
        }
        assertEquals(text, out.toString(StandardCharsets.UTF_8));
        assertEquals("<｜end▁of▁sentence｜>", new String(engine.tokenBytes(1), StandardCharsets.UTF_8));
    }
}
