package io.quiver.models.chat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The limits one compile runs under, checked while it builds rather than once it is done: the states of every
 * automaton it makes (before making it where the size is known in advance), the counts it repeats by, its time, and
 * whether anyone still waits for it. Every step of a compile is polynomial in the states it is allowed, so these
 * checks bound its time and memory.
 */
final class GrammarBudget {
    private final GrammarLimits limits;
    private final String param;
    private final long deadline;
    private final BooleanSupplier abandoned;

    GrammarBudget(GrammarLimits limits, String param, long deadlineNanos, BooleanSupplier abandoned) {
        this.limits = limits;
        this.param = param;
        this.deadline = deadlineNanos;
        this.abandoned = abandoned;
    }

    /** A budget of these limits with their compile timeout from now, for work nobody can abandon. */
    static GrammarBudget of(GrammarLimits limits, String param) {
        return new GrammarBudget(limits, param, System.nanoTime() + limits.compileTimeout().toNanos(), () -> false);
    }

    String param() {
        return param;
    }

    int maxStates() {
        return limits.maxStates();
    }

    /** Throws when the compile is past its time, or when nobody waits for it any more. */
    void checkTime() {
        if (abandoned.getAsBoolean()) {
            throw new CancellationException("no request waits for this grammar any more");
        }
        if (System.nanoTime() - deadline > 0) {
            throw over(GrammarLimits.COMPILE_TIMEOUT, "the grammar did not compile within "
                    + limits.compileTimeout().toMillis() + " ms");
        }
    }

    /** {@code a}, once it is known to have no more states than an automaton built on the way may have. */
    Nfa check(Nfa a) {
        checkTime();
        fits(a.states(), "the grammar");
        return a;
    }

    /** Before building {@code what} of about {@code states} states (which may be an overflowed product). */
    void fits(long states, String what) {
        if (states < 0 || states > limits.buildStates()) {
            throw over(GrammarLimits.MAX_STATES, what + " needs more than the " + limits.buildStates()
                    + " states a grammar may have while it is built (" + GrammarLimits.BUILD_FACTOR + " × "
                    + limits.maxStates() + ")");
        }
    }

    /** A text's automaton ({@code what} in refusals), if its bytes fit. */
    Nfa text(String s, String what) {
        fits(s.getBytes(StandardCharsets.UTF_8).length + 1L, what);
        return Nfa.text(s);
    }

    /** A count a schema or regular expression asks for ({@code what}), if it is within the repeat limit. */
    int count(long n, String what) {
        if (n > limits.maxRepeat()) {
            throw over(GrammarLimits.MAX_REPEAT, what + " is " + n + ", more than the " + limits.maxRepeat()
                    + " a grammar may repeat by");
        }
        return (int) n;
    }

    /** The union of {@code options}, as {@link Union} builds it. */
    Nfa union(List<Nfa> options) {
        Union union = new Union();
        options.forEach(union::add);
        return union.build();
    }

    /**
     * A union built option by option, as the options are made: minimized whenever the options gathered since the
     * last time outgrow both a compiled grammar and what that time left (so minimizing costs time linear in the
     * options), so that many alike options (tools of one shape, say) stay as small as their union's language, and
     * many unlike ones are refused before they are all made.
     */
    final class Union {
        private final List<Nfa> pending = new ArrayList<>();
        private long states;
        private long merged;

        void add(Nfa option) {
            checkTime();
            pending.add(option);
            states += option.states();
            if (states > Math.max(limits.maxStates(), 2 * merged) && pending.size() > 1) {
                Nfa union = minimal(Nfa.union(pending));
                pending.clear();
                pending.add(union);
                states = union.states();
                merged = states;
            }
        }

        Nfa build() {
            return check(pending.size() == 1 ? pending.getFirst() : Nfa.union(pending));
        }
    }

    /** The smallest deterministic automaton of {@code a}'s language over bytes, within the state limit. */
    ByteDfa dfa(Nfa a) {
        return ByteDfa.minimal(check(a), this);
    }

    /** {@link #dfa} as an automaton to build on. */
    Nfa minimal(Nfa a) {
        return dfa(a).toNfa();
    }

    GrammarLimitException over(String limit, String message) {
        return new GrammarLimitException(param, limit, message);
    }
}
