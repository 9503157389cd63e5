package io.quiver.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {

    private static List<String> events(SseParser sse, String... lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String data = sse.accept(line);
            if (data != null) {
                out.add(data);
            }
        }
        return out;
    }

    @Test
    void dataLinesEndAtBlankLineAndDoneEndsTheStream() {
        SseParser sse = new SseParser();
        List<String> got = events(sse, "data: {\"a\":1}", "", "data: {\"a\":2}", "", "data: [DONE]", "");
        assertEquals(List.of("{\"a\":1}", "{\"a\":2}", "[DONE]"), got);
        assertTrue(sse.done());
    }

    @Test
    void commentKeepAlivesAndOtherFieldsAreIgnored() {
        SseParser sse = new SseParser();
        List<String> got = events(sse, ": keep-alive", "", "event: message", "id: 7", "retry: 100",
                "data:{\"x\":true}", "", ":", "");
        assertEquals(List.of("{\"x\":true}"), got);
        assertFalse(sse.done());
    }

    @Test
    void multiLineDataJoinsWithNewlineAndFinishFlushesAMissingBlankLine() {
        SseParser sse = new SseParser();
        assertNull(sse.accept("data: first"));
        assertNull(sse.accept("data: second"));
        assertEquals("first\nsecond", sse.accept(""));
        assertNull(sse.accept("data: tail"));
        assertEquals("tail", sse.finish());
        assertNull(sse.finish());
    }

    @Test
    void streamTimerCountsTextChunksAndPrefersServerUsage() throws Exception {
        List<String> lines = List.of(
                "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}", "",
                ": ping", "",
                "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"Hm\"}}]}", "",
                "data: {\"choices\":[{\"delta\":{\"reasoning\":\"Hm\"}}]}", "",
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]}}]}", "",
                "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}", "",
                "data: {\"choices\":[{\"delta\":{\"content\":\"\"},\"finish_reason\":\"length\"}]}", "",
                "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}", "",
                "data: [DONE]", "");
        Outcome o = OpenAiClient.readStream(lines.iterator(), System.nanoTime());
        assertTrue(o.ok(), o.error());
        assertEquals(3, o.outputTokens());
        assertEquals(5, o.promptTokens());
        assertEquals(3, o.gapsNanos().length, "four output chunks: reasoning (either name), a call, text");
        assertTrue(o.ttftNanos() >= 0 && o.ttftNanos() <= o.e2eNanos());
    }

    @Test
    void completionsTextCountsAndMissingDoneIsAnError() throws Exception {
        List<String> lines = List.of("data: {\"choices\":[{\"text\":\"a\"}]}", "", "data: {\"choices\":[{\"text\":\"b\"}]}");
        Outcome o = OpenAiClient.readStream(lines.iterator(), System.nanoTime());
        assertFalse(o.ok());
        assertEquals("stream", o.errorKey());
        assertEquals(2, o.outputTokens());
        assertArrayEquals(new long[] {o.gapsNanos()[0]}, o.gapsNanos());
    }
}
