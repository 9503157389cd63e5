package io.quiver.models.chat;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Hopcroft's partition refinement of a total deterministic automaton into blocks of equivalent states, in
 * O(states × classes × log states) time and O(states × classes) memory. Blocks are ranges of {@link #elems}.
 */
final class Partition {
    final int[] elems;
    final int[] blockOf;
    final int[] first;
    final int[] end;
    int blocks;

    private Partition(int states) {
        elems = new int[states];
        blockOf = new int[states];
        first = new int[states];
        end = new int[states];
    }

    /**
     * @param delta   states × classes successors (total: no dead entries)
     * @param accept  the accepting states
     */
    static Partition refine(int[] delta, boolean[] accept, int states, int classes, GrammarBudget budget) {
        // Predecessors by (class, target), as one array of ranges.
        int[] start = new int[classes * states + 1];
        for (int s = 0; s < states; s++) {
            for (int c = 0; c < classes; c++) {
                start[c * states + delta[s * classes + c] + 1]++;
            }
        }
        for (int i = 0; i < classes * states; i++) {
            start[i + 1] += start[i];
        }
        int[] fill = Arrays.copyOf(start, classes * states);
        int[] preds = new int[states * classes];
        for (int s = 0; s < states; s++) {
            for (int c = 0; c < classes; c++) {
                preds[fill[c * states + delta[s * classes + c]]++] = s;
            }
        }

        Partition p = new Partition(states);
        int[] loc = new int[states];
        int at = 0;
        for (boolean accepting : new boolean[] {true, false}) {
            int from = at;
            for (int s = 0; s < states; s++) {
                if (accept[s] == accepting) {
                    loc[s] = at;
                    p.elems[at++] = s;
                }
            }
            if (at > from) {
                p.first[p.blocks] = from;
                p.end[p.blocks] = at;
                for (int i = from; i < at; i++) {
                    p.blockOf[p.elems[i]] = p.blocks;
                }
                p.blocks++;
            }
        }
        if (p.blocks == 1) {
            return p;
        }
        int[] marked = new int[states];
        BitSet waiting = new BitSet();
        int[] stack = new int[64];
        int top = 0;
        int smaller = p.size(0) <= p.size(1) ? 0 : 1;
        for (int c = 0; c < classes; c++) {
            waiting.set(smaller * classes + c);
            if (top == stack.length) {
                stack = Arrays.copyOf(stack, top * 2);
            }
            stack[top++] = smaller * classes + c;
        }
        int[] found = new int[states];
        int[] touched = new int[states];
        long rounds = 0;
        while (top > 0) {
            if ((++rounds & 255) == 0) {
                budget.checkTime();
            }
            int splitter = stack[--top];
            waiting.clear(splitter);
            int block = splitter / classes;
            int c = splitter % classes;
            int nFound = 0;
            for (int i = p.first[block]; i < p.end[block]; i++) {
                int key = c * states + p.elems[i];
                for (int j = start[key]; j < start[key + 1]; j++) {
                    found[nFound++] = preds[j];
                }
            }
            int nTouched = 0;
            for (int k = 0; k < nFound; k++) {
                int s = found[k];
                int b = p.blockOf[s];
                int pos = p.first[b] + marked[b];
                int other = p.elems[pos];
                p.elems[loc[s]] = other;
                loc[other] = loc[s];
                p.elems[pos] = s;
                loc[s] = pos;
                if (marked[b]++ == 0) {
                    touched[nTouched++] = b;
                }
            }
            for (int k = 0; k < nTouched; k++) {
                int b = touched[k];
                int count = marked[b];
                marked[b] = 0;
                if (count == p.size(b)) {
                    continue;
                }
                int split = p.blocks++;
                p.first[split] = p.first[b];
                p.end[split] = p.first[b] + count;
                p.first[b] = p.end[split];
                for (int i = p.first[split]; i < p.end[split]; i++) {
                    p.blockOf[p.elems[i]] = split;
                }
                for (int d = 0; d < classes; d++) {
                    int add = waiting.get(b * classes + d) || p.size(split) <= p.size(b) ? split : b;
                    waiting.set(add * classes + d);
                    if (top == stack.length) {
                        stack = Arrays.copyOf(stack, top * 2);
                    }
                    stack[top++] = add * classes + d;
                }
            }
        }
        return p;
    }

    int size(int block) {
        return end[block] - first[block];
    }
}
