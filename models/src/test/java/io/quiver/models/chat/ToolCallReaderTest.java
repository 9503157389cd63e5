package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.models.chat.ToolCallReader.Arguments;
import io.quiver.models.chat.ToolCallReader.CallStart;
import io.quiver.models.chat.ToolCallReader.Event;
import io.quiver.models.chat.ToolCallReader.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The streamed reading of tool calls, family by family, fed piece by piece with no model: text streams until it may
 * be a marker, a call starts once its name is read, its arguments follow in fragments, and every way of cutting the
 * text into pieces adds up to the non-streamed answer.
 */
class ToolCallReaderTest {
    private static final String DS_CALL = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>";
    private static final String DS_END = "\n```<｜tool▁call▁end｜>";

    /** What a client assembles from the events: the content and each call as name + arguments. */
    record Answer(String content, List<String> calls) {
    }

    static ToolCallReader reader(ToolCalls family, int maxCalls) {
        AtomicInteger n = new AtomicInteger();
        return new ToolCallReader(family, maxCalls, () -> "call_" + n.getAndIncrement());
    }

    static List<Event> feed(ToolCallReader reader, List<String> pieces) {
        List<Event> events = new ArrayList<>();
        pieces.forEach(p -> events.addAll(reader.accept(p)));
        events.addAll(reader.finish());
        return events;
    }

    static Answer assemble(List<Event> events) {
        StringBuilder content = new StringBuilder();
        List<StringBuilder> calls = new ArrayList<>();
        for (Event e : events) {
            switch (e) {
                case Text t -> content.append(t.text());
                case CallStart s -> {
                    assertEquals(calls.size(), s.index(), "calls are numbered in order");
                    assertEquals("call_" + s.index(), s.id());
                    calls.add(new StringBuilder(s.name()).append(' '));
                }
                case Arguments a -> {
                    assertTrue(a.index() == calls.size() - 1, "arguments of the call that started last: " + events);
                    calls.get(a.index()).append(a.fragment());
                }
            }
        }
        return new Answer(content.isEmpty() ? null : content.toString(),
                calls.stream().map(StringBuilder::toString).toList());
    }

    /** The answer of the whole text, checked to be what every cut into pieces streams. */
    static Answer read(ToolCalls family, int maxCalls, String text) {
        Answer whole = assemble(feed(reader(family, maxCalls), List.of(text)));
        assertEquals(whole, assemble(feed(reader(family, maxCalls), text.chars().mapToObj(c -> String.valueOf(
                (char) c)).toList())), "one character at a time: " + text);
        Random random = new Random(text.hashCode());
        for (int round = 0; round < 20; round++) {
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < text.length(); ) {
                int n = 1 + random.nextInt(8);
                pieces.add(text.substring(i, Math.min(text.length(), i + n)));
                i += n;
            }
            assertEquals(whole, assemble(feed(reader(family, maxCalls), pieces)), "pieces " + pieces);
        }
        ToolCalls.Parsed parsed = family.parse(text, maxCalls);
        List<String> calls = parsed.calls().stream().map(c -> c.name() + " " + c.arguments()).toList();
        if (calls.isEmpty()) {
            assertEquals(text, parsed.content());
            assertEquals(new Answer(text.isEmpty() ? null : text, List.of()), whole, "no call: all of it is text");
        } else {
            assertEquals(whole, new Answer(parsed.content(), calls), "the non-streamed answer is the stream's sum");
        }
        return whole;
    }

    @Test
    void hermesTextThenTwoCalls() {
        Answer a = read(ToolCalls.HERMES, 8, "Let me look.\n<tool_call>\n{\"name\": \"weather\", \"arguments\": "
                + "{\"city\": \"Paris\", \"days\": [1, 2]}}\n</tool_call>\n<tool_call>\n{\"name\": \"time\", "
                + "\"arguments\": {}}\n</tool_call>");
        assertEquals("Let me look.", a.content());
        assertEquals(List.of("weather {\"city\":\"Paris\",\"days\":[1,2]}", "time {}"), a.calls());
    }

    @Test
    void textStreamsUntilItMayBeAMarker() {
        ToolCallReader r = reader(ToolCalls.HERMES, 8);
        assertEquals(List.of(new Text("Sure")), r.accept("Sure <tool"));
        assertEquals(List.of(), r.accept("_"));
        assertEquals(List.of(new Text(" <tool_x")), r.accept("x"), "not a marker after all: it is text");
        assertEquals(List.of(new Text(" <tool_xy")), r.accept(" <tool_xy"));
        assertEquals(List.of(), r.accept(" \n<tool_call>{\"name\": \"weather\""),
                "the whitespace before a call is dropped");
        assertEquals(List.of(), r.accept(", \"arguments\": "), "no call until its arguments begin");
        assertEquals(List.of(new CallStart(0, "call_0", "weather"), new Arguments(0, "{")), r.accept("{"));
        assertEquals(List.of(new Arguments(0, "\"city\":\"Pa")), r.accept("\"city\": \"Pa"),
                "a string streams as it is written");
        assertEquals(List.of(new Arguments(0, "ris\"}")), r.accept("ris\"}}</tool_call>"));
        assertEquals(List.of(), r.finish());
        assertEquals(1, r.calls());
    }

    @Test
    void argumentsBeforeTheNameAndArgumentsAsAString() {
        assertEquals(List.of("ping {\"a\":1}"), read(ToolCalls.HERMES, 8,
                "<tool_call>{\"arguments\": {\"a\": 1}, \"name\": \"ping\"}</tool_call>").calls());
        assertEquals(List.of("ping {\"a\":\"x y\",\"b\":\"é\"}"), read(ToolCalls.HERMES, 8,
                "<tool_call>{\"name\": \"ping\", \"arguments\": \"{\\\"a\\\": \\\"x y\\\", \\\"b\\\": \\\"\\u00e9\\\"}\"}"
                        + "</tool_call>").calls());
        assertEquals(List.of("ping {}", "pong {}"), read(ToolCalls.HERMES, 8,
                "<tool_call>{\"name\": \"ping\"}</tool_call><tool_call>{\"name\": \"pong\", \"arguments\": \"\", "
                        + "\"id\": [1, {\"x\": \"}\"}]}</tool_call>").calls(), "no arguments: none");
    }

    @Test
    void malformedCallsStayText() {
        for (String text : List.of("<tool_call>not json</tool_call>", "<tool_call>{\"title\": 3}</tool_call>",
                "<tool_call>{\"name\": 7, \"arguments\": {}}", "<tool_call>{\"name\": \"x\", \"arguments\": 5}",
                "a < b and <tool_call> is a tag", "<tool_call>{\"na")) {
            Answer a = read(ToolCalls.HERMES, 8, text);
            assertEquals(List.of(), a.calls(), text);
            assertEquals(text, a.content(), "all of it is text: " + text);
        }
        Answer after = read(ToolCalls.HERMES, 8, "<tool_call><tool_call>{\"name\": \"x\", \"arguments\": {}}");
        assertEquals("<tool_call>", after.content(), "a marker that fails is text; the next one is read");
        assertEquals(List.of("x {}"), after.calls());
        Answer dropped = read(ToolCalls.HERMES, 8, "<tool_call>{\"name\": \"x\", \"arguments\": {}}</tool_call>"
                + "<tool_call>oops</tool_call> and more");
        assertNull(dropped.content(), "after a call, what is not one is dropped");
        assertEquals(List.of("x {}"), dropped.calls());
    }

    @Test
    void anUnfinishedCallEndsWithWhatWasWritten() {
        Answer cut = read(ToolCalls.HERMES, 8, "Hm. <tool_call>{\"name\": \"weather\", \"arguments\": {\"city\": \"Pa");
        assertEquals("Hm.", cut.content());
        assertEquals(List.of("weather {\"city\":\"Pa"), cut.calls(), "cut by max_tokens: the client sees length");
        assertEquals(List.of("x {\"a\":[1,"), read(ToolCalls.DEEPSEEK, 8, DS_CALL + "x\n```json\n{\"a\": [1, ")
                .calls());
        Answer nameless = read(ToolCalls.DEEPSEEK, 8, "ok" + DS_CALL + "wea");
        assertEquals(List.of(), nameless.calls());
        assertEquals("ok" + DS_CALL + "wea", nameless.content(), "a call whose name never ended is text");
    }

    @Test
    void parallelCallsCanBeLimitedToOne() {
        String two = "<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call>\n<tool_call>{\"name\": \"b\", "
                + "\"arguments\": {}}</tool_call>";
        assertEquals(List.of("a {}", "b {}"), read(ToolCalls.HERMES, 8, two).calls());
        assertEquals(List.of("a {}"), read(ToolCalls.HERMES, 1, two).calls());
        assertEquals(List.of("a {}"), read(ToolCalls.LLAMA, 1, "{\"name\": \"a\", \"parameters\": {}}; {\"name\": "
                + "\"b\", \"parameters\": {}}").calls());
    }

    @Test
    void deepSeekR1AndV31() {
        Answer r1 = read(ToolCalls.DEEPSEEK, 8, "Checking." + DS_CALL + "weather\n```json\n{\"city\": \"Oslo\"}"
                + DS_END + "<｜tool▁call▁begin｜>function<｜tool▁sep｜>time\n```json\n{}" + DS_END
                + "<｜tool▁calls▁end｜>");
        assertEquals("Checking.", r1.content());
        assertEquals(List.of("weather {\"city\":\"Oslo\"}", "time {}"), r1.calls());
        Answer v31 = read(ToolCalls.DEEPSEEK, 8, "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>time<｜tool▁sep｜>"
                + "{\"tz\": \"UTC\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>");
        assertNull(v31.content());
        assertEquals(List.of("time {\"tz\":\"UTC\"}"), v31.calls());
        ToolCallReader r = reader(ToolCalls.DEEPSEEK, 8);
        assertEquals(List.of(new Text("Hi")), r.accept("Hi<｜tool▁calls▁be"), "a marker's start is held back");
        assertEquals(List.of(), r.accept("gin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>weather\n```js"));
        assertEquals(List.of(new CallStart(0, "call_0", "weather"), new Arguments(0, "{")), r.accept("on\n{"));
        assertEquals(List.of(new Arguments(0, "}")), r.accept("}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>tail"));
        assertEquals(List.of(), r.finish());
    }

    @Test
    void llamaBareCalls() {
        assertEquals(List.of("weather {\"city\":\"Rome\"}"), read(ToolCalls.LLAMA, 8,
                "<|python_tag|>{\"name\": \"weather\", \"parameters\": {\"city\": \"Rome\"}}").calls());
        Answer two = read(ToolCalls.LLAMA, 8, "  {\"type\": \"function\", \"name\": \"a\", \"parameters\": {\"s\": "
                + "\"x; y\"}} ; {\"name\": \"b\", \"arguments\": {}}");
        assertNull(two.content());
        assertEquals(List.of("a {\"s\":\"x; y\"}", "b {}"), two.calls(), "a ; inside a string is no separator");
        for (String text : List.of("{\"answer\": 4}", "Just an answer {not a call}.", " <|python_tag|>print(1)",
                "{\"name\": \"only\"", "<|python")) {
            Answer a = read(ToolCalls.LLAMA, 8, text);
            assertEquals(List.of(), a.calls(), text);
            assertEquals(text, a.content(), text);
        }
        ToolCallReader r = reader(ToolCalls.LLAMA, 8);
        assertEquals(List.of(new Text("{\"answer\"")), r.accept("{\"answer\""),
                "an object with a member no call has is text at once");
        assertEquals(List.of(new Text(": 4")), r.accept(": 4"));
    }

    @Test
    void textWithoutCallsIsKeptWhole() {
        for (ToolCalls family : ToolCalls.values()) {
            for (String text : List.of("  spaced answer \n\n", "", "<", "a\n<tool_call", "x <｜tool▁calls")) {
                assertEquals(text.isEmpty() ? null : text, read(family, 8, text).content(), family + ": " + text);
            }
        }
    }
}
