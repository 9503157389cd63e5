package io.quiver.models.chat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A nondeterministic automaton over bytes with empty moves, in arrays: state 0 is the start and the last state the
 * end, its one accepting state. Immutable; the operations build new ones by copying their parts, in time and states
 * linear in the parts (empty moves join them, so nothing is expanded: {@link ByteDfa} follows the moves as it
 * determinizes). Sizes are known without a walk, so a {@link GrammarBudget} can check them before and after each
 * step.
 */
final class Nfa {
    private final int states;
    /** Byte edges by source: {@code edgeStart[s] … edgeStart[s + 1]} index {@link #low}, {@link #high}, {@link #to}. */
    private final int[] edgeStart;
    private final byte[] low;
    private final byte[] high;
    private final int[] to;
    /** Empty moves by source, likewise. */
    private final int[] moveStart;
    private final int[] moveTo;

    private Nfa(int states, int[] edgeStart, byte[] low, byte[] high, int[] to, int[] moveStart, int[] moveTo) {
        this.states = states;
        this.edgeStart = edgeStart;
        this.low = low;
        this.high = high;
        this.to = to;
        this.moveStart = moveStart;
        this.moveTo = moveTo;
    }

    int states() {
        return states;
    }

    int end() {
        return states - 1;
    }

    int edges() {
        return to.length;
    }

    int edgesFrom(int s) {
        return edgeStart[s];
    }

    int edgesEnd(int s) {
        return edgeStart[s + 1];
    }

    int low(int edge) {
        return low[edge] & 0xff;
    }

    int high(int edge) {
        return high[edge] & 0xff;
    }

    int target(int edge) {
        return to[edge];
    }

    int movesFrom(int s) {
        return moveStart[s];
    }

    int movesEnd(int s) {
        return moveStart[s + 1];
    }

    int moveTarget(int move) {
        return moveTo[move];
    }

    // The languages.

    /** The empty text. */
    static Nfa empty() {
        Builder b = new Builder();
        int only = b.state();
        return b.build(only, only);
    }

    /** One byte of a set. */
    static Nfa bytes(boolean[] set) {
        Builder b = new Builder();
        int start = b.state();
        int end = b.state();
        for (int lo = 0; lo < 256; ) {
            if (!set[lo]) {
                lo++;
                continue;
            }
            int hi = lo;
            while (hi + 1 < 256 && set[hi + 1]) {
                hi++;
            }
            b.edge(start, lo, hi, end);
            lo = hi + 1;
        }
        return b.build(start, end);
    }

    /** One byte in {@code [lo, hi]}. */
    static Nfa range(int lo, int hi) {
        Builder b = new Builder();
        int start = b.state();
        int end = b.state();
        b.edge(start, lo, hi, end);
        return b.build(start, end);
    }

    /** A text's UTF-8 bytes. */
    static Nfa text(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        Builder b = new Builder();
        int at = b.state();
        for (byte x : bytes) {
            int next = b.state();
            b.edge(at, x & 0xff, x & 0xff, next);
            at = next;
        }
        return b.build(0, at);
    }

    static Nfa concat(List<Nfa> parts) {
        Builder b = new Builder();
        int end = -1;
        for (Nfa part : parts) {
            int offset = b.add(part);
            if (end >= 0) {
                b.move(end, offset);
            }
            end = offset + part.end();
        }
        return end < 0 ? empty() : b.build(0, end);
    }

    static Nfa concat(Nfa... parts) {
        return concat(List.of(parts));
    }

    static Nfa union(List<Nfa> options) {
        Builder b = new Builder();
        int start = b.state();
        int[] ends = new int[options.size()];
        for (int i = 0; i < ends.length; i++) {
            int offset = b.add(options.get(i));
            b.move(start, offset);
            ends[i] = offset + options.get(i).end();
        }
        int end = b.state();
        for (int e : ends) {
            b.move(e, end);
        }
        return b.build(start, end);
    }

    static Nfa union(Nfa... options) {
        return union(List.of(options));
    }

    Nfa optional() {
        return union(this, empty());
    }

    /** Any number of repeats, none included. */
    Nfa star() {
        Builder b = new Builder();
        int start = b.state();
        int offset = b.add(this);
        int end = b.state();
        b.move(start, offset);
        b.move(offset + end(), end);
        b.move(start, end);
        b.move(offset + end(), offset);
        return b.build(start, end);
    }

    /** {@code min} to {@code max} repeats ({@code max} -1: no most); the caller bounds the copies this makes. */
    Nfa repeat(int min, int max) {
        Builder b = new Builder();
        int start = b.state();
        int at = start;
        for (int i = 0; i < min; i++) {
            int offset = b.add(this);
            b.move(at, offset);
            at = offset + end();
        }
        int[] exits = new int[max < 0 ? 1 : max - min + 1];
        exits[0] = at;
        if (max < 0) {
            int offset = b.add(this);
            b.move(at, offset);
            b.move(offset + end(), at);
        } else {
            for (int i = 1; i < exits.length; i++) {
                int offset = b.add(this);
                b.move(at, offset);
                at = offset + end();
                exits[i] = at;
            }
        }
        int end = b.state();
        for (int exit : exits) {
            b.move(exit, end);
        }
        return b.build(start, end);
    }

    /** Builds an automaton state by state; {@link #add} copies another one in. */
    static final class Builder {
        private int states;
        private int[] edges = new int[64];
        private int edgeCount;
        private int[] moves = new int[32];
        private int moveCount;

        int state() {
            return states++;
        }

        int states() {
            return states;
        }

        void edge(int from, int lo, int hi, int target) {
            if (edgeCount * 4 + 4 > edges.length) {
                edges = Arrays.copyOf(edges, edges.length * 2);
            }
            edges[edgeCount * 4] = from;
            edges[edgeCount * 4 + 1] = lo;
            edges[edgeCount * 4 + 2] = hi;
            edges[edgeCount * 4 + 3] = target;
            edgeCount++;
        }

        void move(int from, int target) {
            if (moveCount * 2 + 2 > moves.length) {
                moves = Arrays.copyOf(moves, moves.length * 2);
            }
            moves[moveCount * 2] = from;
            moves[moveCount * 2 + 1] = target;
            moveCount++;
        }

        /** Copies {@code part} in; returns the number its start has here (its states follow in order). */
        int add(Nfa part) {
            int offset = states;
            states += part.states;
            for (int s = 0; s < part.states; s++) {
                for (int e = part.edgeStart[s]; e < part.edgeStart[s + 1]; e++) {
                    edge(offset + s, part.low(e), part.high(e), offset + part.to[e]);
                }
                for (int m = part.moveStart[s]; m < part.moveStart[s + 1]; m++) {
                    move(offset + s, offset + part.moveTo[m]);
                }
            }
            return offset;
        }

        /** The automaton from {@code start} to {@code end}, renumbered so that they come first and last. */
        Nfa build(int start, int end) {
            if (start == end && states > 1) {
                int last = state();
                move(end, last);
                end = last;
            }
            int[] number = new int[states];
            for (int s = 0; s < states; s++) {
                number[s] = s;
            }
            swap(number, start, 0);
            swap(number, number[end], states - 1);
            int[] edgeStart = new int[states + 1];
            int[] moveStart = new int[states + 1];
            for (int e = 0; e < edgeCount; e++) {
                edgeStart[number[edges[e * 4]] + 1]++;
            }
            for (int m = 0; m < moveCount; m++) {
                moveStart[number[moves[m * 2]] + 1]++;
            }
            for (int s = 0; s < states; s++) {
                edgeStart[s + 1] += edgeStart[s];
                moveStart[s + 1] += moveStart[s];
            }
            int[] edgeFill = Arrays.copyOf(edgeStart, states);
            int[] moveFill = Arrays.copyOf(moveStart, states);
            byte[] low = new byte[edgeCount];
            byte[] high = new byte[edgeCount];
            int[] to = new int[edgeCount];
            for (int e = 0; e < edgeCount; e++) {
                int at = edgeFill[number[edges[e * 4]]]++;
                low[at] = (byte) edges[e * 4 + 1];
                high[at] = (byte) edges[e * 4 + 2];
                to[at] = number[edges[e * 4 + 3]];
            }
            int[] moveTo = new int[moveCount];
            for (int m = 0; m < moveCount; m++) {
                moveTo[moveFill[number[moves[m * 2]]]++] = number[moves[m * 2 + 1]];
            }
            return new Nfa(states, edgeStart, low, high, to, moveStart, moveTo);
        }

        /** Exchanges the numbers of the states now numbered {@code a} and {@code b}. */
        private static void swap(int[] number, int a, int b) {
            for (int s = 0; s < number.length; s++) {
                if (number[s] == a) {
                    number[s] = b;
                } else if (number[s] == b) {
                    number[s] = a;
                }
            }
        }
    }
}
