package io.quiver.models.chat;

import java.util.BitSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A constraint on a completion's bytes, compiled for one vocabulary: a minimal deterministic automaton over UTF-8
 * bytes ({@link ByteDfa}), and for each state reached the set of tokens whose bytes keep it alive, computed on first
 * use and then shared by every sequence using the grammar. End-of-sequence tokens are allowed in accepting states
 * only; special tokens never. A token set is kept only while its {@link Ledger} has room for it (states that allow
 * the same tokens share one set); past that, a state's set is computed again on each visit, so memory stays within
 * the budget and decoding goes on. Safe to share between threads.
 */
public final class TokenGrammar {
    private static final int DEAD = ByteDfa.DEAD;
    /** What keeping one state's set costs beside the set: the map entry and its key. */
    private static final long ENTRY_BYTES = 64;
    private final ByteDfa dfa;
    private final TokenBytes vocabulary;
    private final Set<Integer> eos;
    private final Ledger ledger;
    private final ConcurrentHashMap<Integer, BitSet> allowed = new ConcurrentHashMap<>();
    /** The distinct sets kept: many states of a grammar allow the same tokens (inside a string, say). */
    private final ConcurrentHashMap<BitSet, BitSet> distinct = new ConcurrentHashMap<>();
    /** Set once the ledger stopped counting this grammar: it keeps nothing from then on. */
    private volatile boolean dropped;

    /** Where the bytes a grammar keeps are counted as it keeps them. */
    interface Ledger {
        /** Whether {@code grammar} may keep {@code bytes} more; they are counted when it may. */
        boolean charge(TokenGrammar grammar, long bytes);
    }

    TokenGrammar(ByteDfa dfa, TokenBytes vocabulary, Set<Integer> eos, Ledger ledger) {
        this.dfa = dfa;
        this.vocabulary = vocabulary;
        this.eos = eos;
        this.ledger = ledger;
    }

    int initial() {
        return 0;
    }

    /** States of the automaton (its size). */
    public int states() {
        return dfa.states();
    }

    /** Bytes of the automaton's table, which the grammar holds from the start. */
    long tableBytes() {
        return dfa.bytes();
    }

    /** The state after a token's bytes, or -1 when they leave the language. */
    int next(int state, int token) {
        byte[] bytes = vocabulary.bytes(token);
        for (int i = 0; i < bytes.length && state != DEAD; i++) {
            state = dfa.step(state, bytes[i] & 0xff);
        }
        return bytes.length == 0 ? DEAD : state;
    }

    boolean accepting(int state) {
        return dfa.accepting(state);
    }

    /**
     * The tokens allowed in a state (do not modify). Where none would be (a vocabulary that cannot spell the
     * rest), end-of-sequence is, so that the completion ends rather than runs on unconstrained.
     */
    BitSet allowed(int state) {
        BitSet kept = allowed.get(state);
        if (kept != null) {
            return kept;
        }
        BitSet computed = compute(state);
        BitSet shared = distinct.get(computed);
        long cost = ENTRY_BYTES + (shared == null ? ENTRY_BYTES + computed.size() / 8 : 0);
        if (!ledger.charge(this, cost)) {
            return shared != null ? shared : computed;
        }
        if (shared == null) {
            shared = computed;
            distinct.put(computed, computed);
        }
        allowed.put(state, shared);
        if (dropped) {
            // Dropped between the charge and the put: what was just kept is no longer counted.
            drop();
        }
        return shared;
    }

    /** Drops the kept sets, now and from here on (the ledger no longer counts them). */
    void drop() {
        dropped = true;
        allowed.clear();
        distinct.clear();
    }

    /** States whose sets are kept. */
    int keptStates() {
        return allowed.size();
    }

    private BitSet compute(int state) {
        BitSet out = new BitSet(vocabulary.size());
        for (int id = 0; id < vocabulary.size(); id++) {
            if (!vocabulary.special(id) && !eos.contains(id) && next(state, id) != DEAD) {
                out.set(id);
            }
        }
        if (dfa.accepting(state) || out.isEmpty()) {
            eos.forEach(out::set);
        }
        return out;
    }

    /** Whether a text, as UTF-8 bytes, is in the language (for tests and checks). */
    public boolean matches(byte[] text) {
        return dfa.matches(text);
    }
}
