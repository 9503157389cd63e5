package io.quiver.models.chat;

import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One engine's compiled grammars by key, within a byte budget counted as they grow: a grammar's table when it is
 * kept, and each token set decoding keeps for it after. The least recently used grammars are dropped to make room.
 * A grammar dropped while sequences still decode with it goes on working and keeps nothing more (it computes a
 * state's set on each visit), so what grammars hold beyond the budget is at most the tables of those in use.
 */
final class GrammarCache implements TokenGrammar.Ledger {
    private final long budget;
    private final LinkedHashMap<String, TokenGrammar> byKey = new LinkedHashMap<>(16, 0.75f, true);
    /** Bytes counted for each kept grammar. */
    private final Map<TokenGrammar, Long> counted = new IdentityHashMap<>();
    private long used;

    GrammarCache(long budget) {
        this.budget = budget;
    }

    synchronized TokenGrammar get(String key) {
        return byKey.get(key);
    }

    /**
     * Keeps a grammar, dropping the least recently used ones until its table fits.
     *
     * @throws GrammarLimitException when its table alone is over the budget
     */
    synchronized void put(String key, TokenGrammar grammar, GrammarBudget limits) {
        long table = grammar.tableBytes();
        if (table > budget) {
            throw limits.over(GrammarLimits.CACHE_SIZE, "the grammar's table takes " + table + " bytes, more than "
                    + "the " + budget + " all grammars may hold");
        }
        TokenGrammar old = byKey.remove(key);
        if (old != null) {
            release(old);
        }
        while (used + table > budget && dropEldestBut(null)) {
            // dropped one
        }
        byKey.put(key, grammar);
        counted.put(grammar, table);
        used += table;
    }

    @Override
    public synchronized boolean charge(TokenGrammar grammar, long bytes) {
        Long mine = counted.get(grammar);
        if (mine == null) {
            return false;
        }
        while (used + bytes > budget) {
            if (!dropEldestBut(grammar)) {
                return false;
            }
        }
        counted.put(grammar, mine + bytes);
        used += bytes;
        return true;
    }

    /** Bytes counted now. */
    synchronized long used() {
        return used;
    }

    synchronized int size() {
        return byKey.size();
    }

    private boolean dropEldestBut(TokenGrammar keep) {
        for (Iterator<TokenGrammar> it = byKey.values().iterator(); it.hasNext(); ) {
            TokenGrammar g = it.next();
            if (g != keep) {
                it.remove();
                release(g);
                return true;
            }
        }
        return false;
    }

    private void release(TokenGrammar g) {
        Long bytes = counted.remove(g);
        used -= bytes == null ? 0 : bytes;
        g.drop();
    }
}
