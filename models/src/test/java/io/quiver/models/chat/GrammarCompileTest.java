package io.quiver.models.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compiling runs on the engine's own threads, each distinct grammar once however many ask at the same time, for as
 * long as someone waits; what compiled grammars hold, their token sets included as decoding computes them, stays
 * within the byte budget, and a grammar past it still decodes.
 */
class GrammarCompileTest {
    /** Seconds to compile on any machine within these limits ((a|b)*a(a|b){n} has 2^(n+1) states). */
    private static final GrammarLimits ROOMY = GrammarLimits.defaults().withMaxStates(600_000)
            .withCompileTimeout(Duration.ofMinutes(5));
    private static final long FAR = Long.MAX_VALUE / 2;
    private static ChatEngine engine;
    private static int[] prompt;

    @BeforeAll
    static void load() {
        engine = ChatFixture.engine(ChatOptions.defaults().withMaxBatch(2));
        prompt = ChatFixture.ints(ChatFixture.goldenCase("system_user").path("prompt_ids"));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static Grammars grammars(GrammarLimits limits) {
        return new Grammars(limits, "test", engine::vocabulary, Set.of(ChatFixture.GOLDEN.path("eos_token_id")
                .asInt()));
    }

    private static GrammarSource regex(String regex) {
        return new GrammarSource.Regex(regex, "structured_outputs.regex");
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within a minute: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void identicalGrammarsAskedAtOnceCompileOnce() throws Exception {
        try (Grammars grammars = grammars(ROOMY); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<TokenGrammar>> asked = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                asked.add(pool.submit(() -> {
                    start.await();
                    return grammars.get(regex("(a|b)*a(a|b){14}"), System.nanoTime() + FAR);
                }));
            }
            start.countDown();
            TokenGrammar first = asked.getFirst().get();
            for (Future<TokenGrammar> f : asked) {
                assertSame(first, f.get());
            }
            assertEquals(1, grammars.compiled(), "one compile for four requests");
            assertEquals(1 << 15, first.states());
        }
    }

    @Test
    void aCompileNobodyWaitsForStops() throws Exception {
        try (Grammars grammars = grammars(ROOMY)) {
            assertThrows(TimeoutException.class, () -> grammars.get(regex("(a|b)*a(a|b){18}"),
                    System.nanoTime() + 50_000_000L));
            await(() -> grammars.compiling() == 0, "the compile stopped");
            assertEquals(0, grammars.cached(), "it stopped before it finished");

            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    grammars.get(regex("(a|c)*a(a|c){18}"), System.nanoTime() + FAR);
                } catch (Exception expected) {
                    // interrupted
                }
            });
            await(() -> grammars.compiling() == 1, "compiling");
            waiter.interrupt();
            waiter.join();
            await(() -> grammars.compiling() == 0, "the compile stopped when its waiter was interrupted");
            assertEquals(0, grammars.cached());
        }
    }

    @Test
    void oneWaiterLeavingLeavesTheCompileToTheOthers() throws Exception {
        try (Grammars grammars = grammars(ROOMY); ExecutorService pool = Executors.newSingleThreadExecutor()) {
            GrammarSource source = regex("(a|d)*a(a|d){15}");
            Future<TokenGrammar> staying = pool.submit(() -> grammars.get(source, System.nanoTime() + FAR));
            await(() -> grammars.compiling() == 1, "compiling");
            assertThrows(TimeoutException.class, () -> grammars.get(source, System.nanoTime()));
            assertEquals(1 << 16, staying.get().states());
            assertEquals(1, grammars.compiled());
        }
    }

    @Test
    void keptGrammarsStayWithinTheByteBudget() throws Exception {
        long budget = 512 << 10;
        try (Grammars grammars = grammars(GrammarLimits.defaults().withCacheBytes(budget))) {
            for (int i = 0; i < 16; i++) {
                grammars.get(regex("[a-z]{0,4000}z" + i), System.nanoTime() + FAR);
                assertTrue(grammars.cachedBytes() <= budget, grammars.cachedBytes() + " bytes after " + (i + 1));
            }
            assertTrue(grammars.cached() < 16, "the least recently used were dropped: " + grammars.cached());
        }
    }

    @Test
    void tokenSetsAreCountedAsDecodingComputesThemAndDecodingGoesOnPastTheBudget() throws Exception {
        String text = "the quick brown fox jumps over the lazy dog while seven wizards quietly hex jolly bankers";
        GrammarSource choice = new GrammarSource.Choice(List.of(text), "structured_outputs.choice");
        long budget;
        try (Grammars probe = grammars(GrammarLimits.defaults())) {
            probe.get(choice, System.nanoTime() + FAR);
            // Room for the table and the first state's set, and a few sets more.
            budget = probe.cachedBytes() + 3 * (engine.vocabulary().size() / 8 + 128);
        }
        try (Grammars grammars = grammars(GrammarLimits.defaults().withCacheBytes(budget))) {
            TokenGrammar g = grammars.get(choice, System.nanoTime() + FAR);
            for (int run = 0; run < 2; run++) {
                GenerationResult r = engine.generate(GenerationRequest.of(prompt, SamplingParams.greedy(), 200)
                        .withGrammar(g));
                assertEquals(text, r.content(), "the grammar still decides every token");
                assertTrue(grammars.cachedBytes() <= budget, grammars.cachedBytes() + " > " + budget);
            }
            assertTrue(g.keptStates() <= 4, "kept " + g.keptStates() + " states' sets");
        }
    }
}
