package io.quiver.models.chat;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.RunAutomaton;
import java.util.BitSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A constraint on a completion's bytes, compiled for one vocabulary: a deterministic automaton over UTF-8 bytes as
 * a dense table, and for each state reached the set of tokens whose bytes keep it alive (computed once per state,
 * then shared by every sequence using the grammar). End-of-sequence tokens are allowed in accepting states only;
 * special tokens never. Built by {@link ChatEngine#grammar}; safe to share between threads.
 */
public final class TokenGrammar {
    private static final int DEAD = -1;
    private final int[] table;
    private final boolean[] accept;
    private final int initial;
    private final TokenBytes vocabulary;
    private final Set<Integer> eos;
    private final ConcurrentHashMap<Integer, BitSet> allowed = new ConcurrentHashMap<>();

    TokenGrammar(Automaton automaton, TokenBytes vocabulary, Set<Integer> eos) {
        RunAutomaton run = new RunAutomaton(automaton, true);
        int states = run.getSize();
        this.table = new int[states * 256];
        this.accept = new boolean[states];
        for (int s = 0; s < states; s++) {
            accept[s] = run.isAccept(s);
            for (int b = 0; b < 256; b++) {
                table[s * 256 + b] = run.step(s, (char) b);
            }
        }
        this.initial = run.getInitialState();
        this.vocabulary = vocabulary;
        this.eos = eos;
    }

    int initial() {
        return initial;
    }

    /** States of the automaton (its size). */
    public int states() {
        return accept.length;
    }

    /** The state after a token's bytes, or -1 when they leave the language. */
    int next(int state, int token) {
        byte[] bytes = vocabulary.bytes(token);
        for (int i = 0; i < bytes.length && state != DEAD; i++) {
            state = table[state * 256 + (bytes[i] & 0xff)];
        }
        return bytes.length == 0 ? DEAD : state;
    }

    boolean accepting(int state) {
        return accept[state];
    }

    /**
     * The tokens allowed in a state (do not modify). Where none would be (a vocabulary that cannot spell the
     * rest), end-of-sequence is, so that the completion ends rather than runs on unconstrained.
     */
    BitSet allowed(int state) {
        return allowed.computeIfAbsent(state, this::compute);
    }

    private BitSet compute(int state) {
        BitSet out = new BitSet(vocabulary.size());
        for (int id = 0; id < vocabulary.size(); id++) {
            if (!vocabulary.special(id) && !eos.contains(id) && next(state, id) != DEAD) {
                out.set(id);
            }
        }
        if (accept[state] || out.isEmpty()) {
            eos.forEach(out::set);
        }
        return out;
    }

    /** Whether a text, as UTF-8 bytes, is in the language (for tests and checks). */
    public boolean matches(byte[] text) {
        int state = initial;
        for (int i = 0; i < text.length && state != DEAD; i++) {
            state = table[state * 256 + (text[i] & 0xff)];
        }
        return state != DEAD && accept[state];
    }
}
