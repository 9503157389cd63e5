package io.quiver.models.chat;

import io.quiver.models.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes a regular expression matches in full, as an automaton built under a {@link GrammarBudget}: counts are
 * checked before anything is repeated by them, and sizes after every step. The syntax,
 * ASCII only: alternation, groups ({@code (…)}, {@code (?:…)}, {@code (?<name>…)}, {@code (?P<name>…)}),
 * {@code ? * +} and {@code {n} {n,} {n,m}} (a lazy {@code ?} after them changes nothing in a full match), classes
 * {@code […]} and {@code [^…]} with ranges, {@code .} (any byte), {@code \d \w \s} and their negations,
 * {@code \n \r \t \f \v \xHH}, any other escaped character as itself; a leading {@code ^} and a trailing {@code $}
 * are the match's ends. Anchors elsewhere, lookaround and backreferences are refused.
 */
final class RegexAutomaton {
    private static final int MAX_NESTING = 128;
    private final String source;
    private final GrammarBudget budget;
    private final String param;
    private int at;
    private int depth;

    private RegexAutomaton(String source, GrammarBudget budget) {
        this.source = source;
        this.budget = budget;
        this.param = budget.param();
    }

    static Nfa of(String regex, GrammarBudget budget) {
        String body = regex.startsWith("^") ? regex.substring(1) : regex;
        if (body.endsWith("$") && !body.endsWith("\\$")) {
            body = body.substring(0, body.length() - 1);
        }
        RegexAutomaton parser = new RegexAutomaton(body, budget);
        Nfa a = parser.alternation();
        if (parser.at < body.length()) {
            throw parser.invalid("unbalanced ')'");
        }
        return a;
    }

    private Nfa alternation() {
        List<Nfa> branches = new ArrayList<>();
        long states = 0;
        while (true) {
            Nfa branch = sequence();
            states += branch.states();
            budget.fits(states, param);
            branches.add(branch);
            if (!take('|')) {
                break;
            }
        }
        return branches.size() == 1 ? branches.getFirst() : budget.check(Nfa.union(branches));
    }

    private Nfa sequence() {
        List<Nfa> pieces = new ArrayList<>();
        long states = 0;
        while (at < source.length() && peek() != '|' && peek() != ')') {
            Nfa piece = quantified(atom());
            states += piece.states();
            budget.fits(states, param);
            budget.checkTime();
            pieces.add(piece);
        }
        return pieces.isEmpty() ? Nfa.empty() : Nfa.concat(pieces);
    }

    private Nfa quantified(Nfa atom) {
        Nfa a = atom;
        while (at < source.length()) {
            char c = peek();
            if (c == '?' || c == '*' || c == '+') {
                at++;
                a = budget.check(c == '?' ? a.optional() : c == '*' ? a.star() : a.repeat(1, -1));
                continue;
            }
            int[] counts = c == '{' ? counts() : null;
            if (counts == null) {
                return a;
            }
            int min = counts[0];
            int max = counts[1];
            if (max >= 0 && max < min) {
                throw invalid("{" + min + "," + max + "} counts down");
            }
            if (a.states() > 2) {
                a = budget.minimal(a);
            }
            budget.fits((long) a.states() * (Math.max(min, max) + 1), param + " repeated");
            a = budget.check(a.repeat(min, max));
        }
        return a;
    }

    /** {@code {n}}, {@code {n,}} or {@code {n,m}} (max -1: none) at the cursor, or null when it is a plain brace. */
    private int[] counts() {
        int close = source.indexOf('}', at);
        if (close < 0 || !source.substring(at + 1, close).matches("\\d+(,\\d*)?")) {
            return null;
        }
        String[] parts = source.substring(at + 1, close).split(",", -1);
        at = close + 1;
        int min = count(parts[0]);
        int max = parts.length == 1 ? min : parts[1].isEmpty() ? -1 : count(parts[1]);
        return new int[] {min, max};
    }

    private int count(String digits) {
        long n = digits.length() > 10 ? Long.MAX_VALUE : Long.parseLong(digits);
        return budget.count(n, "a repeat count in " + param);
    }

    private Nfa atom() {
        char c = source.charAt(at++);
        switch (c) {
            case '(' -> {
                if (++depth > MAX_NESTING) {
                    throw invalid("groups nest deeper than " + MAX_NESTING);
                }
                group();
                Nfa inner = alternation();
                if (!take(')')) {
                    throw invalid("missing ')'");
                }
                depth--;
                return inner;
            }
            case '[' -> {
                return bytes(charClass());
            }
            case '.' -> {
                return bytes(range(0, 255, new boolean[256]));
            }
            case '\\' -> {
                return bytes(escape(false));
            }
            case '*', '+', '?' -> throw invalid("'" + c + "' repeats nothing");
            default -> {
                boolean[] one = new boolean[256];
                one[c] = true;
                return bytes(one);
            }
        }
    }

    /** Skips a group's {@code ?:} or name; refuses lookaround. */
    private void group() {
        if (!take('?')) {
            return;
        }
        if (take(':')) {
            return;
        }
        if (take('P') || peekIs('<') && !source.startsWith("<=", at) && !source.startsWith("<!", at)) {
            int close = source.indexOf('>', at);
            if (!take('<') || close < 0) {
                throw invalid("a named group needs (?<name>…)");
            }
            at = close + 1;
            return;
        }
        throw invalid("lookaround and inline flags are not supported");
    }

    private boolean[] charClass() {
        boolean negate = take('^');
        boolean[] set = new boolean[256];
        boolean first = true;
        while (true) {
            if (at >= source.length()) {
                throw invalid("missing ']'");
            }
            char c = source.charAt(at++);
            if (c == ']' && !first) {
                break;
            }
            first = false;
            boolean[] item;
            int low;
            if (c == '\\') {
                item = escape(true);
                low = single(item);
            } else {
                item = null;
                low = c;
            }
            if (low >= 0 && peekIs('-') && at + 1 < source.length() && source.charAt(at + 1) != ']') {
                at++;
                char h = source.charAt(at++);
                int high = h == '\\' ? single(escape(true)) : h;
                if (high < 0 || high < low) {
                    throw invalid("bad range in a character class");
                }
                range(low, high, set);
            } else if (item != null) {
                for (int b = 0; b < 256; b++) {
                    set[b] |= item[b];
                }
            } else {
                set[low] = true;
            }
        }
        if (negate) {
            for (int b = 0; b < 256; b++) {
                set[b] = !set[b];
            }
        }
        return set;
    }

    /** The bytes an escape after {@code \} stands for. */
    private boolean[] escape(boolean inClass) {
        if (at >= source.length()) {
            throw invalid("a trailing '\\'");
        }
        char c = source.charAt(at++);
        boolean[] set = new boolean[256];
        switch (c) {
            case 'd', 'D' -> range('0', '9', set);
            case 'w', 'W' -> {
                range('a', 'z', set);
                range('A', 'Z', set);
                range('0', '9', set);
                set['_'] = true;
            }
            case 's', 'S' -> {
                for (char w : " \t\n\r\f\u000b".toCharArray()) {
                    set[w] = true;
                }
            }
            case 'n' -> set['\n'] = true;
            case 'r' -> set['\r'] = true;
            case 't' -> set['\t'] = true;
            case 'f' -> set['\f'] = true;
            case 'v' -> set[0x0b] = true;
            case 'x' -> {
                if (at + 2 > source.length() || !source.substring(at, at + 2).matches("[0-9a-fA-F]{2}")) {
                    throw invalid("\\x needs two hex digits");
                }
                set[Integer.parseInt(source.substring(at, at + 2), 16)] = true;
                at += 2;
            }
            default -> {
                if (!inClass && ("bBAZz".indexOf(c) >= 0 || c >= '1' && c <= '9')) {
                    throw invalid("anchors and backreferences (\\" + c + ") are not supported");
                }
                set[c] = true;
            }
        }
        if (Character.isUpperCase(c) && "DWS".indexOf(c) >= 0) {
            for (int b = 0; b < 256; b++) {
                set[b] = !set[b];
            }
        }
        return set;
    }

    /** The one byte a set holds, or -1. */
    private static int single(boolean[] set) {
        int found = -1;
        for (int b = 0; b < 256; b++) {
            if (set[b]) {
                if (found >= 0) {
                    return -1;
                }
                found = b;
            }
        }
        return found;
    }

    private static boolean[] range(int low, int high, boolean[] set) {
        for (int b = low; b <= high; b++) {
            set[b] = true;
        }
        return set;
    }

    private static Nfa bytes(boolean[] set) {
        return Nfa.bytes(set);
    }

    private char peek() {
        return source.charAt(at);
    }

    private boolean peekIs(char c) {
        return at < source.length() && source.charAt(at) == c;
    }

    private boolean take(char c) {
        if (peekIs(c)) {
            at++;
            return true;
        }
        return false;
    }

    private InvalidRequestException invalid(String why) {
        return new InvalidRequestException(param, param + " is not a valid regular expression: " + why
                + " (at " + at + ")");
    }
}
