package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stop strings and the reasoning split, streamed: pieces split across deltas and tokens. */
class ChatStreamingTextTest {
    private static ChatEngine engine;
    private static int[] rawText;

    @BeforeAll
    static void load() {
        engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(2));
        rawText = ChatFixture.ints(ChatFixture.goldenCase("raw_text").path("prompt_ids"));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void reasoningTagsSplitAcrossDeltas() {
        String stream = "<think>\nLet me think.</think>\n\nThe answer is 4.";
        for (int size = 1; size <= 4; size++) {
            ReasoningSplitter splitter = new ReasoningSplitter(true, false);
            StringBuilder reasoning = new StringBuilder();
            StringBuilder content = new StringBuilder();
            for (int i = 0; i < stream.length(); i += size) {
                ReasoningSplitter.Split s = splitter.accept(stream.substring(i, Math.min(stream.length(), i + size)));
                assertFalse(s.reasoning().contains("<") || s.content().contains("<"), "a tag leaked at size " + size);
                reasoning.append(s.reasoning());
                content.append(s.content());
            }
            ReasoningSplitter.Split rest = splitter.flush();
            reasoning.append(rest.reasoning());
            content.append(rest.content());
            assertEquals("\nLet me think.", reasoning.toString());
            assertEquals("\n\nThe answer is 4.", content.toString());
        }
    }

    @Test
    void prefilledThinkMakesEverythingBeforeTheCloseTagReasoning() {
        ReasoningSplitter splitter = new ReasoningSplitter(true, true);
        ReasoningSplitter.Split a = splitter.accept("Hmm, 2 + 2 </th");
        ReasoningSplitter.Split b = splitter.accept("ink>Four. a < b");
        ReasoningSplitter.Split c = splitter.flush();
        assertEquals("Hmm, 2 + 2 ", a.reasoning() + b.reasoning() + c.reasoning());
        assertEquals("Four. a < b", a.content() + b.content() + c.content());

        ReasoningSplitter off = new ReasoningSplitter(false, true);
        assertEquals("<think>x</think>y", off.accept("<think>x</think>y").content());

        ReasoningSplitter unfinished = new ReasoningSplitter(true, false);
        assertEquals("a <thi", unfinished.accept("a <thi").content() + unfinished.flush().content());
    }

    @Test
    void engineStreamsPrefilledReasoningAndCanTurnTheSplitOff() throws Exception {
        GenerationRequest request = ChatFixture.greedy(rawText, 12);
        GenerationResult plain = engine.generate(request);
        GenerationResult prefilled = engine.generate(request.withReasoningPrefilled(true));
        assertArrayEquals(plain.tokenIds(), prefilled.tokenIds());
        assertEquals("", plain.reasoning());
        assertFalse(plain.content().isEmpty());
        // The random model never writes </think>: with the block pre-opened, all of it is reasoning.
        assertEquals(plain.content(), prefilled.reasoning());
        assertEquals("", prefilled.content());
        try (ChatEngine off = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(1).withReasoningSplit(false))) {
            GenerationResult r = off.generate(request.withReasoningPrefilled(true));
            assertEquals(plain.content(), r.content());
            assertEquals("", r.reasoning());
        }
    }

    @Test
    void stopStringSplitAcrossTokensCutsTheCompletion() throws Exception {
        GenerationResult full = engine.generate(ChatFixture.greedy(rawText, 24));
        String text = full.content();
        assertEquals(engine.decode(full.tokenIds()), text);
        // A stop string straddling the boundary between tokens 6 and 7.
        String head = engine.decode(Arrays.copyOf(full.tokenIds(), 6));
        assertTrue(text.startsWith(head) && head.length() >= 2 && text.length() >= head.length() + 2);
        String stop = text.substring(head.length() - 2, head.length() + 2);
        String expected = text.substring(0, text.indexOf(stop));

        Recorder r = new Recorder().submitTo(engine, ChatFixture.greedy(rawText, 24).withStop(List.of("zzz-none", stop)));
        assertEquals(FinishReason.STOP, r.await());
        assertEquals(expected, r.content.toString());
        assertTrue(r.ids.size() <= 7, "stopped at the token that completed the stop string");
        for (Delta d : r.deltas) {
            assertFalse(d.content().contains(stop));
        }
        assertEquals(r.ids.size(), r.usage.completionTokens());
    }

    @Test
    void stopMatcherHoldsBackPossibleStarts() {
        StopMatcher m = new StopMatcher(List.of("END", "<|x|>"));
        assertEquals("abc ", m.accept("abc E"));
        assertEquals("", m.accept("N"));
        assertEquals("ENx ", m.accept("x <"), "'<' may start '<|x|>'");
        assertEquals("", m.accept("|x|>ok"));
        assertTrue(m.stopped());
        StopMatcher cut = new StopMatcher(List.of("END"));
        assertEquals("", cut.accept("EN"));
        assertEquals("", cut.accept("D and more"));
        assertTrue(cut.stopped());
        assertEquals("", cut.flush());
        StopMatcher tail = new StopMatcher(List.of("END"));
        assertEquals("a", tail.accept("aE"));
        assertEquals("E", tail.flush());
    }

    private static void assertArrayEquals(int[] a, int[] b) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
    }
}
