package io.quiver.models.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic automaton over bytes, in arrays: the form a grammar runs in, and the form a compile determinizes
 * and minimizes in, checking its budget as it goes. The bytes fall into classes, runs of bytes every transition
 * treats alike; {@code next} is a states × classes table with {@link #DEAD} where the text leaves the language.
 * State 0 is the initial one, and every state can still reach an accepting one.
 */
final class ByteDfa {
    static final int DEAD = -1;
    private final byte[] classOf;
    private final int classes;
    private final int[] next;
    private final boolean[] accept;

    private ByteDfa(byte[] classOf, int classes, int[] next, boolean[] accept) {
        this.classOf = classOf;
        this.classes = classes;
        this.next = next;
        this.accept = accept;
    }

    /** The smallest deterministic automaton of an automaton's language, checking the budget as it goes. */
    static ByteDfa minimal(Nfa automaton, GrammarBudget budget) {
        return Subsets.determinize(automaton, budget).minimize(budget);
    }

    int states() {
        return accept.length;
    }

    int classes() {
        return classes;
    }

    /** The state after one byte, or {@link #DEAD}. */
    int step(int state, int b) {
        return next[state * classes + (classOf[b] & 0xff)];
    }

    boolean accepting(int state) {
        return accept[state];
    }

    /** Whether a text is in the language. */
    boolean matches(byte[] text) {
        int state = 0;
        for (int i = 0; i < text.length && state != DEAD; i++) {
            state = step(state, text[i] & 0xff);
        }
        return state != DEAD && accept[state];
    }

    /** Whether the language is empty (the initial state accepts nothing and goes nowhere). */
    boolean empty() {
        return accept.length == 1 && !accept[0] && Arrays.stream(next).allMatch(d -> d == DEAD);
    }

    /** What the arrays take on the heap. */
    long bytes() {
        return 16 + classOf.length + 16 + 4L * next.length + 16 + accept.length;
    }

    /**
     * Hopcroft's partition refinement on the total automaton of the live states plus one sink; the sink's block
     * (all that cannot reach an accepting state) becomes {@link #DEAD}.
     */
    private ByteDfa minimize(GrammarBudget budget) {
        int n = states();
        boolean[] live = live();
        if (!live[0]) {
            return new ByteDfa(classOf, classes, filled(classes, DEAD), new boolean[1]);
        }
        int[] index = new int[n];
        int size = 0;
        for (int s = 0; s < n; s++) {
            index[s] = live[s] ? size++ : -1;
        }
        int sink = size;
        int total = size + 1;
        int[] delta = new int[total * classes];
        boolean[] acc = new boolean[total];
        for (int s = 0; s < n; s++) {
            if (live[s]) {
                acc[index[s]] = accept[s];
                for (int c = 0; c < classes; c++) {
                    int d = next[s * classes + c];
                    delta[index[s] * classes + c] = d == DEAD || !live[d] ? sink : index[d];
                }
            }
        }
        Arrays.fill(delta, sink * classes, total * classes, sink);
        Partition p = Partition.refine(delta, acc, total, classes, budget);
        // Number the blocks in the order the initial state reaches them; the sink's block is dead.
        int sinkBlock = p.blockOf[sink];
        int[] id = filled(p.blocks, DEAD);
        int[] order = new int[p.blocks];
        int count = 0;
        order[count] = p.blockOf[0];
        id[order[count++]] = 0;
        for (int i = 0; i < count; i++) {
            int rep = p.elems[p.first[order[i]]];
            for (int c = 0; c < classes; c++) {
                int b = p.blockOf[delta[rep * classes + c]];
                if (b != sinkBlock && id[b] == DEAD) {
                    id[b] = count;
                    order[count++] = b;
                }
            }
        }
        if (count > budget.maxStates()) {
            throw budget.over(GrammarLimits.MAX_STATES, "the grammar needs " + count + " states, more than the "
                    + budget.maxStates() + " a compiled grammar may have");
        }
        int[] out = new int[count * classes];
        boolean[] outAccept = new boolean[count];
        for (int i = 0; i < count; i++) {
            int rep = p.elems[p.first[order[i]]];
            outAccept[i] = acc[rep];
            for (int c = 0; c < classes; c++) {
                out[i * classes + c] = id[p.blockOf[delta[rep * classes + c]]];
            }
        }
        return new ByteDfa(classOf, classes, out, outAccept);
    }

    /** The states from which an accepting state can be reached. */
    private boolean[] live() {
        int n = states();
        int[] start = new int[n + 1];
        for (int d : next) {
            if (d != DEAD) {
                start[d + 1]++;
            }
        }
        for (int i = 0; i < n; i++) {
            start[i + 1] += start[i];
        }
        int[] fill = Arrays.copyOf(start, n);
        int[] preds = new int[start[n]];
        for (int i = 0; i < next.length; i++) {
            if (next[i] != DEAD) {
                preds[fill[next[i]]++] = i / classes;
            }
        }
        boolean[] live = new boolean[n];
        int[] queue = new int[n];
        int tail = 0;
        for (int s = 0; s < n; s++) {
            if (accept[s]) {
                live[s] = true;
                queue[tail++] = s;
            }
        }
        for (int head = 0; head < tail; head++) {
            int t = queue[head];
            for (int j = start[t]; j < start[t + 1]; j++) {
                if (!live[preds[j]]) {
                    live[preds[j]] = true;
                    queue[tail++] = preds[j];
                }
            }
        }
        return live;
    }

    /** This automaton as an {@link Nfa}, to build larger ones from. */
    Nfa toNfa() {
        int n = states();
        int[] low = new int[classes];
        int[] high = new int[classes];
        for (int b = 255; b >= 0; b--) {
            low[classOf[b] & 0xff] = b;
        }
        for (int b = 0; b < 256; b++) {
            high[classOf[b] & 0xff] = b;
        }
        Nfa.Builder builder = new Nfa.Builder();
        for (int s = 0; s < n; s++) {
            builder.state();
        }
        int end = builder.state();
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < classes; ) {
                int d = next[s * classes + c];
                int last = c;
                while (last + 1 < classes && next[s * classes + last + 1] == d) {
                    last++;
                }
                if (d != DEAD) {
                    builder.edge(s, low[c], high[last], d);
                }
                c = last + 1;
            }
            if (accept[s]) {
                builder.move(s, end);
            }
        }
        return builder.build(0, end);
    }

    private static int[] filled(int length, int value) {
        int[] a = new int[length];
        Arrays.fill(a, value);
        return a;
    }

    /** The subset construction over bytes, following empty moves, stopped at the states a build may have. */
    private static final class Subsets {
        private final Nfa nfa;
        private final int[] seen;
        private final int[] stack;
        private int generation;

        private Subsets(Nfa nfa) {
            this.nfa = nfa;
            this.seen = new int[nfa.states()];
            this.stack = new int[nfa.states()];
        }

        static ByteDfa determinize(Nfa nfa, GrammarBudget budget) {
            return new Subsets(nfa).run(budget);
        }

        private ByteDfa run(GrammarBudget budget) {
            // Byte classes: a new one starts wherever some edge starts or ends.
            boolean[] starts = new boolean[257];
            starts[0] = true;
            for (int e = 0; e < nfa.edges(); e++) {
                starts[nfa.low(e)] = true;
                starts[nfa.high(e) + 1] = true;
            }
            byte[] classOf = new byte[256];
            int classes = 0;
            for (int b = 0; b < 256; b++) {
                classes += starts[b] ? 1 : 0;
                classOf[b] = (byte) (classes - 1);
            }
            long limit = (long) GrammarLimits.BUILD_FACTOR * budget.maxStates();
            Map<Key, Integer> ids = new HashMap<>();
            List<int[]> subsets = new ArrayList<>();
            int[] first = closure(new int[] {0}, 1);
            subsets.add(first);
            ids.put(new Key(first), 0);
            int[] table = new int[Math.max(1, classes) * 64];
            BitSet accepting = new BitSet();
            int[][] bucket = new int[classes][4];
            int[] filledTo = new int[classes];
            int[] touched = new int[classes];
            for (int d = 0; d < subsets.size(); d++) {
                if ((d & 63) == 0) {
                    budget.checkTime();
                }
                if (table.length < (d + 1) * classes) {
                    table = Arrays.copyOf(table, Math.max(table.length * 2, (d + 1) * classes));
                }
                Arrays.fill(table, d * classes, (d + 1) * classes, DEAD);
                int nTouched = 0;
                for (int s : subsets.get(d)) {
                    if (s == nfa.end()) {
                        accepting.set(d);
                    }
                    for (int e = nfa.edgesFrom(s); e < nfa.edgesEnd(s); e++) {
                        int last = classOf[nfa.high(e)] & 0xff;
                        for (int c = classOf[nfa.low(e)] & 0xff; c <= last; c++) {
                            if (filledTo[c] == 0) {
                                touched[nTouched++] = c;
                            }
                            if (filledTo[c] == bucket[c].length) {
                                bucket[c] = Arrays.copyOf(bucket[c], bucket[c].length * 2);
                            }
                            bucket[c][filledTo[c]++] = nfa.target(e);
                        }
                    }
                }
                for (int t = 0; t < nTouched; t++) {
                    int c = touched[t];
                    int[] target = closure(bucket[c], filledTo[c]);
                    filledTo[c] = 0;
                    Key key = new Key(target);
                    Integer id = ids.get(key);
                    if (id == null) {
                        if (subsets.size() >= limit) {
                            throw budget.over(GrammarLimits.MAX_STATES, "the grammar's deterministic automaton "
                                    + "grows past the " + limit + " states a grammar may have while it is built ("
                                    + GrammarLimits.BUILD_FACTOR + " × " + budget.maxStates() + ")");
                        }
                        id = subsets.size();
                        subsets.add(target);
                        ids.put(key, id);
                    }
                    table[d * classes + c] = id;
                }
            }
            boolean[] accept = new boolean[subsets.size()];
            accepting.stream().forEach(s -> accept[s] = true);
            return new ByteDfa(classOf, classes, Arrays.copyOf(table, subsets.size() * classes), accept);
        }

        /** The states reached from {@code seeds} by empty moves (themselves included), sorted. */
        private int[] closure(int[] seeds, int count) {
            generation++;
            int top = 0;
            int found = 0;
            int[] out = new int[Math.max(count, 4)];
            for (int i = 0; i < count; i++) {
                if (seen[seeds[i]] != generation) {
                    seen[seeds[i]] = generation;
                    stack[top++] = seeds[i];
                }
            }
            while (top > 0) {
                int s = stack[--top];
                if (found == out.length) {
                    out = Arrays.copyOf(out, found * 2);
                }
                out[found++] = s;
                for (int m = nfa.movesFrom(s); m < nfa.movesEnd(s); m++) {
                    int t = nfa.moveTarget(m);
                    if (seen[t] != generation) {
                        seen[t] = generation;
                        stack[top++] = t;
                    }
                }
            }
            int[] sorted = Arrays.copyOf(out, found);
            Arrays.sort(sorted);
            return sorted;
        }

        private record Key(int[] states) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && Arrays.equals(states, k.states);
            }

            @Override
            public int hashCode() {
                return Arrays.hashCode(states);
            }
        }
    }
}
