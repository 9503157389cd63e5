package io.quiver.models.chat;

import java.util.List;
import java.util.function.Supplier;

/**
 * Reads one completion's answer text for tool calls as it is generated, in its template family's format
 * ({@link ToolCalls}), the way vLLM's streaming tool parsers do. Text before the first call comes out as soon as it
 * cannot be the start of a call marker; a call comes out as its start (index, id, name) once its name is read and its
 * arguments have begun, then as fragments of its arguments' JSON text as they are read. The same reader, fed the
 * whole text at once, makes the non-streamed answer ({@link ToolCalls#parse}), so the two agree exactly.
 *
 * <p>What is kept: the text before the first call, its trailing whitespace dropped; the calls, each argument text
 * written without the whitespace between JSON tokens (a string holding the arguments is decoded); nothing after the
 * calls. Text that starts like a call and turns out not to be one (not JSON, no name, arguments neither an object
 * nor a string) stays text while no call came before it, and is dropped after one. At the end of the text a call
 * whose name and arguments never began is text; a call whose arguments began ends with what was written of them
 * (cut by {@code max_tokens}, the finish reason says so). Not thread-safe: one reader per choice, fed in order.
 */
public final class ToolCallReader {
    /** What the text read so far adds to the answer. */
    public sealed interface Event permits Text, CallStart, Arguments {
    }

    /** Answer text. */
    public record Text(String text) implements Event {
    }

    /** A call begins: its position among the answer's calls, its id and its function's name. */
    public record CallStart(int index, String id, String name) implements Event {
    }

    /** More of call {@code index}'s arguments' JSON text. */
    public record Arguments(int index, String fragment) implements Event {
    }

    private static final String HERMES_OPEN = "<tool_call>";
    private static final String PYTHON_TAG = ToolCalls.PYTHON_TAG;

    private enum Mode { TEXT, LLAMA_START, PLAIN, OBJECT, BETWEEN, LLAMA_NEXT, DS_BLOCK, DS_HEAD, DS_NAME, DS_ARGS,
        DS_TAIL, DONE }

    private final ToolCalls family;
    private final int maxCalls;
    private final Supplier<String> ids;
    /** Text received and not yet read. */
    private final StringBuilder pending = new StringBuilder();
    /** The current call's text while it may still turn out not to be a call. */
    private final StringBuilder raw = new StringBuilder();
    /** The current call's arguments text read and not yet handed out. */
    private final StringBuilder arguments = new StringBuilder();
    private final ReaderEvents events = new ReaderEvents();
    private Mode mode;
    private CallJson.CallObject object;
    private CallJson.Value dsArguments;
    private String dsHead;
    private boolean started;
    private boolean wroteArguments;
    private boolean separated;
    private int calls;

    /** {@code maxCalls}: calls read at most (1 for {@code parallel_tool_calls: false}); what follows is dropped. */
    public ToolCallReader(ToolCalls family, int maxCalls, Supplier<String> ids) {
        if (maxCalls < 1) {
            throw new IllegalArgumentException("maxCalls must be at least 1");
        }
        this.family = family;
        this.maxCalls = maxCalls;
        this.ids = ids;
        this.mode = family == ToolCalls.LLAMA ? Mode.LLAMA_START : Mode.TEXT;
    }

    /** Reads the next piece of the answer's text; what it adds. */
    public List<Event> accept(String piece) {
        pending.append(piece);
        while (!pending.isEmpty() && step()) {
            // each step reads what it can and says whether another mode should look at the rest
        }
        return events.drain();
    }

    /** The text has ended: what was held back, and the end of an unfinished call. */
    public List<Event> finish() {
        switch (mode) {
            case TEXT, PLAIN -> events.text(take(pending.length()));
            case LLAMA_START, OBJECT, DS_BLOCK, DS_HEAD, DS_NAME, DS_ARGS -> {
                if (started) {
                    handOutArguments();
                } else if (calls == 0) {
                    events.text(raw + take(pending.length()));
                }
            }
            default -> {
            }
        }
        pending.setLength(0);
        events.end(calls == 0);
        return events.drain();
    }

    /** Calls begun so far. */
    public int calls() {
        return calls;
    }

    private boolean step() {
        return switch (mode) {
            case TEXT -> text();
            case LLAMA_START -> llamaStart();
            case PLAIN -> {
                events.text(take(pending.length()));
                yield false;
            }
            case OBJECT -> object();
            case BETWEEN -> between();
            case LLAMA_NEXT -> llamaNext();
            case DS_BLOCK -> dsBlock();
            case DS_HEAD -> dsHead();
            case DS_NAME -> dsName();
            case DS_ARGS -> dsArguments();
            case DS_TAIL -> dsTail();
            case DONE -> {
                pending.setLength(0);
                yield false;
            }
        };
    }

    /** Answer text: up to the family's call marker, holding back what may be its start. */
    private boolean text() {
        String marker = family == ToolCalls.DEEPSEEK ? ToolCalls.DS_BEGIN : HERMES_OPEN;
        int at = pending.indexOf(marker);
        if (at < 0) {
            events.text(take(pending.length() - partialMarker(marker)));
            return false;
        }
        events.text(take(at));
        begin(take(marker.length()));
        mode = family == ToolCalls.DEEPSEEK ? Mode.DS_BLOCK : Mode.OBJECT;
        return true;
    }

    /** Llama writes a call as the whole answer: a JSON object, perhaps after {@code <|python_tag|>}. */
    private boolean llamaStart() {
        int i = 0;
        while (i < pending.length() && Character.isWhitespace(pending.charAt(i))) {
            i++;
        }
        String rest = pending.substring(i);
        if (rest.isEmpty() || PYTHON_TAG.startsWith(rest) && raw.indexOf(PYTHON_TAG) < 0) {
            return false;
        }
        if (rest.startsWith(PYTHON_TAG) && raw.indexOf(PYTHON_TAG) < 0) {
            raw.append(take(i + PYTHON_TAG.length()));
            return true;
        }
        if (rest.charAt(0) == '{') {
            begin(raw + take(i));
            mode = Mode.OBJECT;
            return true;
        }
        events.text(raw.toString() + take(pending.length()));
        raw.setLength(0);
        mode = Mode.PLAIN;
        return false;
    }

    /** Hermes' and Llama's call: a JSON object, read character by character. */
    private boolean object() {
        int i = 0;
        try {
            while (i < pending.length()) {
                char c = pending.charAt(i);
                object.accept(c);
                if (object.failed()) {
                    // The character that showed it is read again as what comes instead.
                    if (started) {
                        endCall(family == ToolCalls.LLAMA ? Mode.DONE : Mode.BETWEEN);
                    } else {
                        notACall();
                    }
                    return true;
                }
                i++;
                if (!started) {
                    raw.append(c);
                    if (object.name() != null && (object.argumentsStarted() || object.ended())) {
                        start(object.name());
                    }
                }
                if (started) {
                    handOutArguments();
                }
                if (object.ended()) {
                    if (!started) {
                        notACall();
                        return true;
                    }
                    endCall(family == ToolCalls.LLAMA ? Mode.LLAMA_NEXT : Mode.BETWEEN);
                    return true;
                }
            }
            return false;
        } finally {
            pending.delete(0, i);
        }
    }

    /** After a Hermes call: the next {@code <tool_call>}; anything else is dropped. */
    private boolean between() {
        int at = pending.indexOf(HERMES_OPEN);
        if (at < 0) {
            take(pending.length() - partialMarker(HERMES_OPEN));
            return false;
        }
        take(at);
        begin(take(HERMES_OPEN.length()));
        mode = Mode.OBJECT;
        return true;
    }

    /** After a Llama call: {@code ;} and another call object, or the end of the calls. */
    private boolean llamaNext() {
        while (!pending.isEmpty()) {
            char c = pending.charAt(0);
            if (Character.isWhitespace(c)) {
                take(1);
            } else if (c == ';' && !separated) {
                take(1);
                separated = true;
            } else if (c == '{' && separated) {
                separated = false;
                begin("");
                mode = Mode.OBJECT;
                return true;
            } else {
                mode = Mode.DONE;
                return true;
            }
        }
        return false;
    }

    /** Inside DeepSeek's {@code <｜tool▁calls▁begin｜>}: the next call, or the block's end. */
    private boolean dsBlock() {
        int i = 0;
        while (i < pending.length() && Character.isWhitespace(pending.charAt(i))) {
            i++;
        }
        String rest = pending.substring(i);
        if (rest.startsWith(ToolCalls.DS_CALL)) {
            raw.append(take(i + ToolCalls.DS_CALL.length()));
            mode = Mode.DS_HEAD;
            return true;
        }
        if (rest.startsWith(ToolCalls.DS_END)) {
            take(pending.length());
            mode = Mode.DONE;
            return false;
        }
        if (ToolCalls.DS_CALL.startsWith(rest) || ToolCalls.DS_END.startsWith(rest)) {
            return false;
        }
        notACall();
        return true;
    }

    /** {@code <｜tool▁call▁begin｜>}: the call's type (R1) or name (V3.1), up to {@code <｜tool▁sep｜>}. */
    private boolean dsHead() {
        int at = pending.indexOf(ToolCalls.DS_SEP);
        if (at < 0) {
            return tooLong();
        }
        dsHead = pending.substring(0, at);
        raw.append(take(at + ToolCalls.DS_SEP.length()));
        mode = Mode.DS_NAME;
        return true;
    }

    /** After the separator: R1's {@code name\n```json\n} or nothing (V3.1), up to the arguments' {@code {}. */
    private boolean dsName() {
        int at = pending.indexOf("{");
        if (at < 0) {
            return tooLong();
        }
        String body = pending.substring(0, at);
        int fence = body.indexOf("```");
        String name = (fence >= 0 ? body.substring(0, fence) : body.isBlank() ? dsHead : body).strip();
        if (name.isEmpty()) {
            notACall();
            return true;
        }
        raw.append(take(at));
        start(name);
        dsArguments = new CallJson.Value(arguments);
        mode = Mode.DS_ARGS;
        return true;
    }

    private boolean dsArguments() {
        int i = 0;
        while (i < pending.length() && dsArguments.accept(pending.charAt(i))) {
            i++;
            if (dsArguments.closed()) {
                break;
            }
        }
        pending.delete(0, i);
        handOutArguments();
        if (dsArguments.closed()) {
            mode = Mode.DS_TAIL;
            return true;
        }
        return false;
    }

    /** After the arguments: the closing fence, dropped, up to {@code <｜tool▁call▁end｜>}. */
    private boolean dsTail() {
        int at = pending.indexOf(ToolCalls.DS_CALL_END);
        if (at < 0) {
            take(pending.length() - partialMarker(ToolCalls.DS_CALL_END));
            return false;
        }
        take(at + ToolCalls.DS_CALL_END.length());
        endCall(Mode.DS_BLOCK);
        return true;
    }

    /** A DeepSeek head or name past any sensible length: not a call. */
    private boolean tooLong() {
        if (pending.length() <= CallJson.NAME_LIMIT) {
            return false;
        }
        notACall();
        return true;
    }

    private void begin(String marker) {
        raw.setLength(0);
        raw.append(marker);
        arguments.setLength(0);
        started = false;
        wroteArguments = false;
        object = new CallJson.CallObject(family == ToolCalls.LLAMA, arguments);
    }

    private void start(String name) {
        started = true;
        events.start(new CallStart(calls++, ids.get(), name));
    }

    private void handOutArguments() {
        if (!arguments.isEmpty()) {
            wroteArguments = true;
            events.arguments(calls - 1, arguments.toString());
            arguments.setLength(0);
        }
    }

    private void endCall(Mode next) {
        if (!wroteArguments) {
            // A call written without arguments (or with an empty string) takes none.
            events.arguments(calls - 1, "{}");
        }
        started = false;
        raw.setLength(0);
        mode = calls >= maxCalls ? Mode.DONE : next;
    }

    /** What began like a call is not one: text while no call came before it, else dropped. */
    private void notACall() {
        if (calls == 0) {
            events.text(raw.toString());
            mode = family == ToolCalls.LLAMA ? Mode.PLAIN : Mode.TEXT;
        } else {
            mode = family == ToolCalls.HERMES ? Mode.BETWEEN : Mode.DONE;
        }
        raw.setLength(0);
        started = false;
    }

    /** The longest end of the pending text that begins {@code marker}. */
    private int partialMarker(String marker) {
        for (int n = Math.min(marker.length() - 1, pending.length()); n > 0; n--) {
            if (CharSequence.compare(pending.subSequence(pending.length() - n, pending.length()),
                    marker.subSequence(0, n)) == 0) {
                return n;
            }
        }
        return 0;
    }

    private String take(int n) {
        String s = pending.substring(0, n);
        pending.delete(0, n);
        return s;
    }
}
