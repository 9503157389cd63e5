package io.quiver.models.chat;

import static io.quiver.models.chat.Nfa.concat;
import static io.quiver.models.chat.Nfa.range;
import static io.quiver.models.chat.Nfa.union;

import java.util.ArrayList;
import java.util.List;

/**
 * The fixed parts of the JSON grammar over UTF-8 bytes, minimal and built once per process (the operations that use
 * them copy them), and the ways {@link JsonSchemaAutomaton} joins parts in states linear in the parts. Texts are
 * compact: no whitespace but one optional space after {@code :} and {@code ,}.
 */
final class JsonText {
    static final int ANY_DEPTH = 4;
    private static final GrammarBudget FIXED = GrammarBudget.of(GrammarLimits.defaults(), "schema");
    static final Nfa COLON = FIXED.minimal(concat(text(":"), text(" ").optional()));
    static final Nfa COMMA = FIXED.minimal(concat(text(","), text(" ").optional()));
    static final Nfa CHARACTER = FIXED.minimal(character());
    static final Nfa STRING = FIXED.minimal(string(CHARACTER.star()));
    static final Nfa NATURAL = FIXED.minimal(union(text("0"), concat(range('1', '9'), digits().star())));
    static final Nfa INTEGER = FIXED.minimal(concat(text("-").optional(), NATURAL));
    static final Nfa NUMBER = FIXED.minimal(number());
    /** Free-form values nested at most 0 … ANY_DEPTH levels. */
    static final Nfa[] ANY = anyValues();
    static final Nfa ANY_OBJECT = FIXED.minimal(object(ANY[ANY_DEPTH - 1]));

    private JsonText() {
    }

    /**
     * Members in order, the optional ones free to be left out, in states linear in the members: before member i there
     * is a state where nothing was written yet and one where something was; the first leads straight to member i, the
     * second through a comma, and member i leads to the "something written" state before member i + 1. An optional
     * member is skipped by an empty move between the states of the same kind.
     */
    static Nfa members(List<Nfa> members, List<Boolean> optional) {
        int n = members.size();
        Nfa.Builder b = new Nfa.Builder();
        int[] none = new int[n + 1];
        int[] some = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            none[i] = b.state();
            some[i] = b.state();
        }
        for (int i = 0; i < n; i++) {
            int member = b.add(members.get(i));
            b.move(none[i], member);
            int comma = b.add(COMMA);
            b.move(some[i], comma);
            b.move(comma + COMMA.end(), member);
            b.move(member + members.get(i).end(), some[i + 1]);
            if (optional.get(i)) {
                b.move(none[i], none[i + 1]);
                b.move(some[i], some[i + 1]);
            }
        }
        int end = b.state();
        b.move(none[n], end);
        b.move(some[n], end);
        return b.build(none[0], end);
    }

    /** {@code item (, item)*} with one copy of the item, which the comma leads back to. */
    static Nfa separated(Nfa item) {
        Nfa.Builder b = new Nfa.Builder();
        int before = b.state();
        int copy = b.add(item);
        int after = b.state();
        int comma = b.add(COMMA);
        b.move(before, copy);
        b.move(copy + item.end(), after);
        b.move(after, comma);
        b.move(comma + COMMA.end(), before);
        return b.build(before, after);
    }

    static Nfa string(Nfa body) {
        return concat(text("\""), body, text("\""));
    }

    /** A text's UTF-8 bytes. */
    static Nfa text(String s) {
        return Nfa.text(s);
    }

    /** Decimal naturals in [lo, hi] (0 ≤ lo ≤ hi) without leading zeros. */
    static Nfa naturals(long lo, long hi) {
        List<Nfa> lengths = new ArrayList<>();
        for (int digits = String.valueOf(lo).length(); digits <= String.valueOf(hi).length(); digits++) {
            long from = Math.max(lo, digits == 1 ? 0 : (long) Math.pow(10, digits - 1));
            long to = Math.min(hi, (long) Math.pow(10, digits) - 1);
            if (from <= to) {
                lengths.add(sameLength(String.valueOf(from), String.valueOf(to)));
            }
        }
        return union(lengths);
    }

    /** The digit strings of one length from {@code a} to {@code b}. */
    private static Nfa sameLength(String a, String b) {
        if (a.isEmpty()) {
            return Nfa.empty();
        }
        int rest = a.length() - 1;
        if (a.chars().allMatch(c -> c == '0') && b.chars().allMatch(c -> c == '9')) {
            return digits().repeat(a.length(), a.length());
        }
        char x = a.charAt(0);
        char y = b.charAt(0);
        if (x == y) {
            return concat(range(x, x), sameLength(a.substring(1), b.substring(1)));
        }
        List<Nfa> options = new ArrayList<>();
        options.add(concat(range(x, x), sameLength(a.substring(1), "9".repeat(rest))));
        if (y - x > 1) {
            options.add(concat(range(x + 1, y - 1), digits().repeat(rest, rest)));
        }
        options.add(concat(range(y, y), sameLength("0".repeat(rest), b.substring(1))));
        return union(options);
    }

    private static Nfa[] anyValues() {
        Nfa[] any = new Nfa[ANY_DEPTH + 1];
        for (int depth = 0; depth <= ANY_DEPTH; depth++) {
            List<Nfa> values = new ArrayList<>(List.of(STRING, NUMBER, text("true"), text("false"), text("null")));
            if (depth > 0) {
                values.add(object(any[depth - 1]));
                values.add(concat(text("["), separated(any[depth - 1]).optional(), text("]")));
            }
            any[depth] = FIXED.minimal(union(values));
        }
        return any;
    }

    /** An object with any keys and values from {@code value}. */
    private static Nfa object(Nfa value) {
        return concat(text("{"), separated(concat(STRING, COLON, value)).optional(), text("}"));
    }

    /** One character of a JSON string's body. */
    private static Nfa character() {
        return union(
                // printable ASCII but the quote and the backslash
                range(' ', '!'), range('#', '['), range(']', '~'),
                // well-formed multi-byte UTF-8
                concat(range(0xC2, 0xDF), continuation(1)),
                concat(range(0xE0, 0xEF), continuation(2)),
                concat(range(0xF0, 0xF4), continuation(3)),
                // escapes
                concat(text("\\"), union(set("\"\\/bfnrt"), concat(text("u"), hex().repeat(4, 4)))));
    }

    private static Nfa number() {
        Nfa fraction = concat(text("."), digits().repeat(1, -1)).optional();
        Nfa exponent = concat(set("eE"), set("+-").optional(), digits().repeat(1, -1)).optional();
        return concat(INTEGER, fraction, exponent);
    }

    private static Nfa digits() {
        return range('0', '9');
    }

    private static Nfa hex() {
        return union(digits(), range('a', 'f'), range('A', 'F'));
    }

    private static Nfa continuation(int n) {
        return range(0x80, 0xBF).repeat(n, n);
    }

    private static Nfa set(String chars) {
        boolean[] set = new boolean[256];
        chars.chars().forEach(c -> set[c] = true);
        return Nfa.bytes(set);
    }
}
