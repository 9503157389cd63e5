package io.quiver.models.chat;

import java.util.Set;

/**
 * The JSON of a tool call read one character at a time, for {@link ToolCallReader}: a JSON value written out without
 * the whitespace between its tokens, a string's escapes decoded, and a call object ({@code {"name": …,
 * "arguments"|"parameters": {…}}}). Hand-written rather than a library's streaming parser because those hand out a
 * string only once it is complete, and a call's arguments should stream as the model writes them, strings included.
 * Lenient: it tracks strings and nesting, it does not validate; what the model wrote is what the client gets.
 */
final class CallJson {
    /** Longest key or name read before the object is taken for something else than a call. */
    static final int NAME_LIMIT = 256;

    private CallJson() {
    }

    static boolean space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /**
     * One JSON value, written to {@code out} (when not null) without insignificant whitespace. It ends with its
     * closing quote or bracket, or, for a bare number or word, at the first character after it.
     */
    static final class Value {
        private final StringBuilder out;
        private int depth;
        private boolean inString;
        private boolean escaped;
        private boolean bare;
        private boolean closed;

        Value(StringBuilder out) {
            this.out = out;
        }

        /** Takes one character; false when the value had already ended before it (the character is not its). */
        boolean accept(char c) {
            if (closed) {
                return false;
            }
            if (inString) {
                write(c);
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                    closed = depth == 0;
                }
                return true;
            }
            if (depth == 0 && (bare && (space(c) || c == ',' || c == '}' || c == ']')
                    || !bare && (c == '}' || c == ']'))) {
                closed = true;
                return false;
            }
            if (space(c)) {
                return true;
            }
            write(c);
            switch (c) {
                case '"' -> inString = true;
                case '{', '[' -> depth++;
                case '}', ']' -> closed = --depth == 0;
                default -> bare |= depth == 0;
            }
            return true;
        }

        boolean closed() {
            return closed;
        }

        private void write(char c) {
            if (out != null) {
                out.append(c);
            }
        }
    }

    /** A JSON string's content after its opening quote, escapes decoded. */
    static final class Str {
        private boolean escaped;
        private int hexLeft;
        private int code;
        private final StringBuilder hex = new StringBuilder();

        /** Decodes one character into {@code out}; true when it was the closing quote. */
        boolean accept(char c, StringBuilder out) {
            if (hexLeft > 0) {
                int digit = Character.digit(c, 16);
                if (digit < 0) {
                    // Not an escape after all: keep what was written, then read this character as it comes.
                    out.append("\\u").append(hex);
                    hexLeft = 0;
                    return accept(c, out);
                }
                hex.append(c);
                code = code * 16 + digit;
                if (--hexLeft == 0) {
                    out.append((char) code);
                }
                return false;
            }
            if (escaped) {
                escaped = false;
                switch (c) {
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        hexLeft = 4;
                        code = 0;
                        hex.setLength(0);
                    }
                    default -> out.append(c);
                }
                return false;
            }
            if (c == '\\') {
                escaped = true;
                return false;
            }
            if (c == '"') {
                return true;
            }
            out.append(c);
            return false;
        }
    }

    /**
     * A call object: its {@code name} as a string, its arguments ({@code arguments} or {@code parameters}) as an
     * object or as a string holding one, any other member skipped. Strict (Llama's bare calls, which have no marker
     * before them): a member a call does not have means the object is not a call.
     */
    static final class CallObject {
        private static final Set<String> CALL_KEYS = Set.of("name", "arguments", "parameters", "type");

        private enum Step { OPEN, KEY_OR_END, KEY, COLON, VALUE, NAME, ARGS, ARGS_STRING, SKIP, AFTER_VALUE, END,
            FAILED }

        private final boolean strict;
        private final StringBuilder arguments;
        private final StringBuilder key = new StringBuilder();
        private final StringBuilder nameText = new StringBuilder();
        private final StringBuilder decoded = new StringBuilder();
        private Step step = Step.OPEN;
        private Str str;
        private Value value;
        private String name;
        private boolean argumentsSeen;

        /** {@code arguments}: where the arguments' text is written as it is read. */
        CallObject(boolean strict, StringBuilder arguments) {
            this.strict = strict;
            this.arguments = arguments;
        }

        void accept(char c) {
            switch (step) {
                case OPEN -> {
                    if (!space(c)) {
                        step = c == '{' ? Step.KEY_OR_END : Step.FAILED;
                    }
                }
                case KEY_OR_END -> {
                    if (c == '"') {
                        key.setLength(0);
                        str = new Str();
                        step = Step.KEY;
                    } else if (c == '}') {
                        step = Step.END;
                    } else if (!space(c)) {
                        step = Step.FAILED;
                    }
                }
                case KEY -> {
                    if (str.accept(c, key)) {
                        step = strict && !CALL_KEYS.contains(key.toString()) ? Step.FAILED : Step.COLON;
                    } else if (key.length() > NAME_LIMIT) {
                        step = Step.FAILED;
                    }
                }
                case COLON -> {
                    if (c == ':') {
                        step = Step.VALUE;
                    } else if (!space(c)) {
                        step = Step.FAILED;
                    }
                }
                case VALUE -> {
                    if (!space(c)) {
                        value(c);
                    }
                }
                case NAME -> {
                    if (str.accept(c, nameText)) {
                        name = nameText.toString();
                        step = name.isEmpty() ? Step.FAILED : Step.AFTER_VALUE;
                    } else if (nameText.length() > NAME_LIMIT) {
                        step = Step.FAILED;
                    }
                }
                case ARGS -> {
                    value.accept(c);
                    if (value.closed()) {
                        step = Step.AFTER_VALUE;
                    }
                }
                case ARGS_STRING -> {
                    decoded.setLength(0);
                    boolean end = str.accept(c, decoded);
                    for (int i = 0; i < decoded.length(); i++) {
                        value.accept(decoded.charAt(i));
                    }
                    if (end) {
                        step = Step.AFTER_VALUE;
                    }
                }
                case SKIP -> {
                    if (!value.accept(c)) {
                        step = Step.AFTER_VALUE;
                        accept(c);
                    } else if (value.closed()) {
                        step = Step.AFTER_VALUE;
                    }
                }
                case AFTER_VALUE -> {
                    if (c == ',') {
                        step = Step.KEY_OR_END;
                    } else if (c == '}') {
                        step = Step.END;
                    } else if (!space(c)) {
                        step = Step.FAILED;
                    }
                }
                case END, FAILED -> {
                }
            }
        }

        private void value(char c) {
            String k = key.toString();
            if (k.equals("name") && name == null) {
                str = new Str();
                step = c == '"' ? Step.NAME : Step.FAILED;
            } else if ((k.equals("arguments") || k.equals("parameters")) && !argumentsSeen) {
                argumentsSeen = true;
                value = new Value(arguments);
                if (c == '{') {
                    value.accept(c);
                    step = Step.ARGS;
                } else if (c == '"') {
                    // Arguments as JSON text in a string, the way OpenAI's own messages carry them.
                    str = new Str();
                    step = Step.ARGS_STRING;
                } else {
                    step = Step.FAILED;
                }
            } else {
                value = new Value(null);
                if (!value.accept(c)) {
                    step = Step.AFTER_VALUE;
                    accept(c);
                } else {
                    step = value.closed() ? Step.AFTER_VALUE : Step.SKIP;
                }
            }
        }

        /** The call's name once read whole, else null. */
        String name() {
            return name;
        }

        boolean argumentsStarted() {
            return argumentsSeen;
        }

        boolean ended() {
            return step == Step.END;
        }

        boolean failed() {
            return step == Step.FAILED;
        }
    }
}
