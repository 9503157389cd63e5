package io.quiver.bench.compare;

import io.quiver.bench.load.ClosedLoop;
import io.quiver.bench.load.LevelLine;
import io.quiver.bench.load.LevelRecorder;
import io.quiver.bench.load.PromptSet;
import io.quiver.bench.results.LevelResult;
import io.quiver.bench.results.SmallSample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chat scenarios a comparison runs after its plain levels, each held to a target on Quiver against itself
 * ({@link TargetCheck}) with the peer's same ratio beside it:
 * <ul>
 * <li>long prompts: ITL p50 at a long-prompt level against the short-prompt level with as many streams (the cost of
 * a long context per decode step);</li>
 * <li>joins: N short streams running while long prompts keep arriving (one client, or {@code --join-long}, sending
 * long prompts back to back): the short streams' ITL p99 against their steady ITL p50 (the N-stream level);</li>
 * <li>shared prefix: every request carries a ~1,000-token system prompt and a short question; TTFT p50 when all
 * requests carry the same system prompt (after the first, a prefix-cache hit) against each its own (a miss).</li>
 * </ul>
 */
final class ChatScenarios {
    private static final Pattern PREFIX_COUNTER = Pattern.compile(
            "^quiver_prefix_cache_(hits|queries)_tokens_total\\{[^}]*}\\s+([0-9.eE+-]+)", Pattern.MULTILINE);

    private final ServersSuite.Settings s;
    private final ServersSuite.Sides sides;
    private final List<PairResult> pairs;
    private final List<TargetCheck> checks;
    private final List<String> notes;
    private final PromptSet shortPrompts = PromptSet.named("short", 13);
    private final PromptSet longPrompts = PromptSet.named("long", 13);
    private final PromptSet systemPrompts = PromptSet.named("system", 17);

    ChatScenarios(ServersSuite.Settings settings, ServersSuite.Sides sides, List<PairResult> pairs,
                  List<TargetCheck> checks, List<String> notes) {
        this.s = settings;
        this.sides = sides;
        this.pairs = pairs;
        this.checks = checks;
        this.notes = notes;
    }

    /** From the plain levels already run: long-prompt ITL p50 over short-prompt ITL p50 at the same streams. */
    void longAgainstShort() {
        for (int c : s.longStreams()) {
            PairResult longer = find(c + " stream(s), long prompts", "ITL p50 ms");
            PairResult shorter = find(c + " stream(s)", "ITL p50 ms");
            if (longer != null && shorter != null) {
                checks.add(new TargetCheck(sides.comparison() + ": " + c + " stream(s), long prompts",
                        "ITL p50, long (1,000–1,500 tokens) / short prompts", longer.quiver() / shorter.quiver(),
                        longer.peer() / shorter.peer(), 1.5, true));
            }
        }
    }

    /** N short streams while long prompts join; the steady reference is the plain N-stream level. */
    void joins() throws InterruptedException {
        for (int n : s.joinStreams()) {
            String name = sides.comparison() + ": " + n + " stream(s) while long prompts join";
            List<LevelResult> quiverLong = new ArrayList<>();
            List<LevelResult> peerLong = new ArrayList<>();
            pairs.addAll(Alternation.run(name, s.rounds(),
                    () -> whileJoining(n, sides.quiver(), quiverLong),
                    () -> whileJoining(n, sides.peerSide(), peerLong), true, ServersSuite.chatMetrics()));
            sides.alive(name);
            PairResult joined = find(n + " stream(s) while long prompts join", "ITL p99 ms");
            PairResult steady = find(n + " stream(s)", "ITL p50 ms");
            if (joined != null && steady != null) {
                checks.add(new TargetCheck(name, "short streams' ITL p99 while long prompts join / steady ITL p50",
                        joined.quiver() / steady.quiver(), joined.peer() / steady.peer(), 3.0, true));
            }
            notes.add(String.format("%s: %d client(s) sending long prompts back to back during each round; their "
                    + "TTFT p50 %.0f ms on Quiver, %.0f ms on the peer (medians of the rounds)", name, s.joinLong(),
                    median(quiverLong), median(peerLong)));
        }
    }

    /** The shared-system-prompt levels: each its own (miss), then all the same one (hit). */
    void sharedPrefix() throws InterruptedException {
        for (int n : s.prefixStreams()) {
            String base = sides.comparison() + ": " + n + " stream(s), ~1,000-token system prompt";
            String miss = base + " each its own (miss)";
            String hit = base + " shared by all (hit)";
            pairs.addAll(Alternation.run(miss, s.rounds(), () -> withSystem(n, sides.quiver(), false),
                    () -> withSystem(n, sides.peerSide(), false), true, ServersSuite.chatMetrics()));
            double[] before = prefixCounters();
            pairs.addAll(Alternation.run(hit, s.rounds(), () -> withSystem(n, sides.quiver(), true),
                    () -> withSystem(n, sides.peerSide(), true), true, ServersSuite.chatMetrics()));
            double[] after = prefixCounters();
            sides.alive(hit);
            PairResult missed = find(n + " stream(s), ~1,000-token system prompt each its own (miss)", "TTFT p50 ms");
            PairResult hits = find(n + " stream(s), ~1,000-token system prompt shared by all (hit)", "TTFT p50 ms");
            if (missed != null && hits != null) {
                checks.add(new TargetCheck(base + " shared", "TTFT p50, hit / miss", hits.quiver() / missed.quiver(),
                        hits.peer() / missed.peer(), 0.25, true));
            }
            if (before != null && after != null) {
                double queried = after[1] - before[1];
                notes.add(String.format("%s: during the hit levels Quiver's prefix cache found %.0f of %.0f prompt "
                        + "tokens looked up (%.0f %%; quiver_prefix_cache_hits/queries_tokens_total)", base,
                        after[0] - before[0], queried, queried > 0 ? 100 * (after[0] - before[0]) / queried : 0));
            }
        }
    }

    /**
     * {@code n} short streams, closed loop, while {@code --join-long} clients send long prompts back to back from
     * before the first short request until after the last; returns the short streams' level, adds the long ones'.
     */
    private LevelResult whileJoining(int n, Side side, List<LevelResult> longLevels) {
        AtomicBoolean stop = new AtomicBoolean();
        LevelRecorder longRecorder = new LevelRecorder();
        List<Thread> joiners = new ArrayList<>();
        long start = System.nanoTime();
        for (int j = 0; j < s.joinLong(); j++) {
            joiners.add(Thread.ofVirtual().name("bench-join-" + j).start(() -> {
                while (!stop.get()) {
                    longRecorder.record(side.ask(longPrompts));
                }
            }));
        }
        LevelResult running = ClosedLoop.run(n, s.longDuration(), 0, 1, i -> side.ask(shortPrompts));
        stop.set(true);
        for (Thread t : joiners) {
            try {
                t.join(); // the other side must not start while this one still prefills
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LevelResult joining = longRecorder.result(s.joinLong(), (System.nanoTime() - start) / 1e9);
        System.out.println("    long prompts joining: " + LevelLine.format(joining, true));
        longLevels.add(joining);
        return running;
    }

    private LevelResult withSystem(int n, Side side, boolean shared) {
        return ClosedLoop.run(n, s.duration(), 0, 1, i -> side.ask(shortPrompts, systemPrompts, shared));
    }

    /** Quiver's prefix-cache counters {hits, queries} in tokens, summed over models; null when unreadable. */
    private double[] prefixCounters() throws InterruptedException {
        try {
            Matcher m = PREFIX_COUNTER.matcher(sides.quiverProcess().get("/q/metrics"));
            double[] out = new double[2];
            while (m.find()) {
                out[m.group(1).equals("hits") ? 0 : 1] += Double.parseDouble(m.group(2));
            }
            return out;
        } catch (IOException e) {
            return null;
        }
    }

    private PairResult find(String level, String metric) {
        String name = sides.comparison() + ": " + level;
        return pairs.stream().filter(p -> p.name().equals(name) && p.metric().equals(metric)).findFirst()
                .orElse(null);
    }

    private static double median(List<LevelResult> levels) {
        return SmallSample.of(levels.stream().map(l -> l.ttft().p50()).toList()).median();
    }
}
