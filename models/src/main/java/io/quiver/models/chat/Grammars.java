package io.quiver.models.chat;

import io.quiver.models.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Compiles one engine's structured-output grammars: on a few threads of its own, never on a request's thread (a
 * compile may take seconds; the carriers of virtual threads must not), each distinct source once however many
 * requests ask for it at the same time, within {@link GrammarLimits}, and kept in a {@link GrammarCache}. A compile
 * nobody waits for any more (its requests left or timed out) stops at its next check.
 */
public final class Grammars implements AutoCloseable {
    /** Distinct compiles that may wait for a thread; more are refused at once. */
    static final int QUEUE = 64;
    private static final System.Logger LOG = System.getLogger(Grammars.class.getName());
    private static final long STACK_BYTES = 16L << 20;

    private final GrammarLimits limits;
    private final Supplier<TokenBytes> vocabulary;
    private final Set<Integer> eos;
    private final GrammarCache cache;
    private final ThreadPoolExecutor compiler;
    /** Compiles under way, by key; guarded by itself. */
    private final Map<String, Flight> flights = new HashMap<>();
    private final AtomicLong compiled = new AtomicLong();

    /** One compile and the requests waiting for it. */
    private static final class Flight {
        final String key;
        final GrammarSource source;
        final CompletableFuture<TokenGrammar> result = new CompletableFuture<>();
        int waiters;
        volatile boolean abandoned;

        Flight(String key, GrammarSource source) {
            this.key = key;
            this.source = source;
        }
    }

    Grammars(GrammarLimits limits, String model, Supplier<TokenBytes> vocabulary, Set<Integer> eos) {
        this.limits = limits;
        this.vocabulary = vocabulary;
        this.eos = eos;
        this.cache = new GrammarCache(limits.cacheBytes());
        this.compiler = new ThreadPoolExecutor(limits.compileThreads(), limits.compileThreads(), 0,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), Thread.ofPlatform().daemon(true)
                .name("grammar-" + model + "-", 0).stackSize(STACK_BYTES).factory());
    }

    /**
     * The grammar of a source, compiled or kept: compiled on the compile threads (never on the caller's), once per
     * distinct source however many callers ask at once, within the {@link GrammarLimits}, and kept while the cache
     * has room. Waits at most until {@code deadlineNanos} ({@link System#nanoTime}); a compile that nobody waits for
     * any more stops.
     *
     * @throws InvalidRequestException     the source is not supported or is over a limit ({@link GrammarLimitException}),
     *                                     naming the source's param
     * @throws RejectedExecutionException  {@link #QUEUE} other compiles are waiting
     * @throws java.util.concurrent.CancellationException the engine closed meanwhile
     * @throws TimeoutException            the deadline passed first (the compile goes on for any other waiter)
     * @throws InterruptedException        the caller was interrupted (likewise)
     */
    public TokenGrammar get(GrammarSource source, long deadlineNanos) throws InterruptedException, TimeoutException {
        String key = digest(source.key());
        TokenGrammar kept = cache.get(key);
        if (kept != null) {
            return kept;
        }
        Flight flight;
        synchronized (flights) {
            flight = flights.get(key);
            if (flight == null) {
                kept = cache.get(key);
                if (kept != null) {
                    return kept;
                }
                Flight created = new Flight(key, source);
                compiler.execute(() -> compile(created));
                compiled.incrementAndGet();
                flight = created;
                flights.put(key, flight);
            }
            flight.waiters++;
        }
        try {
            return flight.result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("compiling the grammar for " + source.param() + " failed", e.getCause());
        } finally {
            synchronized (flights) {
                if (--flight.waiters == 0 && !flight.result.isDone()) {
                    flight.abandoned = true;
                    flights.remove(key, flight);
                }
            }
        }
    }

    private void compile(Flight flight) {
        String param = flight.source.param();
        try {
            GrammarBudget budget = new GrammarBudget(limits, param, System.nanoTime()
                    + limits.compileTimeout().toNanos(), () -> flight.abandoned);
            budget.checkTime();
            ByteDfa dfa = budget.dfa(automaton(flight.source, budget));
            if (dfa.empty()) {
                throw new InvalidRequestException(param, param + " allows no text");
            }
            TokenGrammar grammar = new TokenGrammar(dfa, vocabulary.get(), eos, cache);
            cache.put(flight.key, grammar, budget);
            // The first step's token set, here rather than on the engine's scheduler thread.
            grammar.allowed(grammar.initial());
            flight.result.complete(grammar);
        } catch (CancellationException abandoned) {
            flight.result.cancel(false);
        } catch (InvalidRequestException refused) {
            flight.result.completeExceptionally(refused);
        } catch (StackOverflowError deep) {
            flight.result.completeExceptionally(new InvalidRequestException(param, param + " nests too deeply"));
        } catch (Throwable t) {
            // Out of memory or a bug: answered and logged; the thread goes on compiling.
            LOG.log(System.Logger.Level.ERROR, "compiling the grammar for " + param + " failed", t);
            flight.result.completeExceptionally(t);
        } finally {
            synchronized (flights) {
                flights.remove(flight.key, flight);
            }
        }
    }

    private static Nfa automaton(GrammarSource source, GrammarBudget budget) {
        return switch (source) {
            case GrammarSource.Json j -> j.schema() == null ? JsonSchemaAutomaton.anyObject()
                    : JsonSchemaAutomaton.of(j.schema(), budget);
            case GrammarSource.Regex r -> RegexAutomaton.of(r.regex(), budget);
            case GrammarSource.Tools t -> t.family().forced(t.tools(), budget);
            case GrammarSource.Choice c -> {
                List<Nfa> options = new ArrayList<>();
                long states = 0;
                for (String choice : c.choices()) {
                    Nfa text = budget.text(choice, "a choice");
                    states += text.states();
                    budget.fits(states, "the choices");
                    options.add(text);
                }
                yield budget.union(options);
            }
        };
    }

    /** Bytes the kept grammars hold now (tables and kept token sets). */
    public long cachedBytes() {
        return cache.used();
    }

    /** Grammars kept. */
    public int cached() {
        return cache.size();
    }

    /** Compiles started (each distinct source once while it compiles). */
    public long compiled() {
        return compiled.get();
    }

    /** Compiles waiting for a compile thread or running. */
    public int compiling() {
        synchronized (flights) {
            return flights.size();
        }
    }

    private static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        compiler.shutdownNow();
        synchronized (flights) {
            flights.values().forEach(f -> {
                f.abandoned = true;
                f.result.cancel(false);
            });
        }
    }
}
