package io.quiver.bench.compare;

import io.quiver.bench.load.ClosedLoop;
import io.quiver.bench.load.OpenAiClient;
import io.quiver.bench.load.Outcome;
import io.quiver.bench.load.PromptSet;
import io.quiver.bench.load.Route;
import io.quiver.bench.results.LevelResult;
import io.quiver.bench.startup.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code bench compare --suite servers}: the packaged Quiver against each peer in turn, both over loopback HTTP with
 * the same load client (or, for onnxruntime-genai, its Generator in process). For each peer a fresh Quiver serving
 * only the twin model and the peer are started, their ready times measured (process start → first answer), then
 * every level is alternated A B B A, then the chat scenarios of {@link ChatScenarios}.
 */
final class ServersSuite {

    /** Everything one peer needs from the command line. */
    record Settings(List<String> peers, Path peersDir, ChatFamily chat, Path python, Path java, Path jar,
                    int quiverPort, int peerPort, List<Integer> streams, List<Integer> embedConcurrency,
                    List<Integer> imageConcurrency, int maxTokens, int rounds, Duration duration, int cpus,
                    Duration startTimeout, List<Integer> longStreams, Duration longDuration,
                    List<Integer> joinStreams, int joinLong, List<Integer> prefixStreams, List<String> quiverOptions) {

        /** The load levels a peer on {@code route} is measured at; chat: also every joins level's steady run. */
        List<Integer> levels(Route route) {
            return switch (route) {
                case CHAT, COMPLETIONS -> List.copyOf(new TreeSet<>(Stream.concat(streams.stream(),
                        joinStreams.stream()).toList()));
                case EMBEDDINGS -> embedConcurrency;
                case IMAGES -> imageConcurrency;
            };
        }

        /** The most requests a level has in flight: the peer's slots and Quiver's cap. */
        int mostInFlight(Route route) {
            Stream<Integer> all = levels(route).stream();
            if (route == Route.CHAT) {
                all = Stream.of(all, longStreams.stream(), prefixStreams.stream(),
                        joinStreams.stream().map(n -> n + joinLong)).flatMap(s -> s);
            }
            return all.mapToInt(Integer::intValue).max().orElse(1);
        }
    }

    private final Settings s;
    private final List<String> notes = new ArrayList<>();
    private final List<TargetCheck> checks = new ArrayList<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    ServersSuite(Settings settings) {
        this.s = settings;
    }

    List<String> notes() {
        return notes;
    }

    List<TargetCheck> checks() {
        return checks;
    }

    /** Peers that could not start, with why. */
    Map<String, String> unavailable() {
        return unavailable;
    }

    List<PairResult> run() throws InterruptedException {
        List<PairResult> pairs = new ArrayList<>();
        for (String key : s.peers()) {
            // The route is known once the peer is named; its most concurrent level sizes its slots.
            Route route = ServerPeer.named(key, s.peersDir(), s.chat(), s.python(), 1, s.cpus(), s.peerPort()).route();
            ServerPeer peer = ServerPeer.named(key, s.peersDir().toAbsolutePath(), s.chat(), s.python(),
                    s.mostInFlight(route), s.cpus(), s.peerPort());
            if (peer.unavailable() != null) {
                skip(peer, peer.unavailable());
                continue;
            }
            try {
                pairs.addAll(against(peer));
            } catch (PeerFailed e) {
                skip(peer, e.getMessage());
            }
        }
        return pairs;
    }

    private void skip(ServerPeer peer, String why) {
        unavailable.put(peer.name(), why);
        System.out.println("peer " + peer.name() + " could not start: " + why);
    }

    private List<PairResult> against(ServerPeer peer) throws InterruptedException {
        List<String> quiverCmd = new ArrayList<>(List.of(s.java().toString()));
        quiverCmd.addAll(s.quiverOptions());
        quiverCmd.addAll(peer.twin().jvmOptions());
        quiverCmd.addAll(List.of("-Dquarkus.http.port=" + s.quiverPort(), "-jar", s.jar().toString()));
        URI quiverBase = URI.create("http://127.0.0.1:" + s.quiverPort());
        OpenAiClient quiverClient = new OpenAiClient(quiverBase, null, Duration.ofMinutes(10));
        Side quiver = new Side(quiverClient, peer.route(), peer.twin().model(), false, s.maxTokens());
        try (ServerProcess quiverProcess = start(quiverCmd, quiverBase, Map.of(), "Quiver")) {
            // Ready = process start → first answer; each server starts alone so neither slows the other's start.
            double quiverReady = ready(quiverProcess, quiver, "Quiver");
            Sides sides;
            List<PairResult> pairs;
            if (peer.inProcess()) {
                try (GenaiPeer genai = new GenaiPeer(peer.command(), peer.env())) {
                    double peerReady = genai.awaitReady();
                    notes.add(peer.twin().label() + " vs " + peer.name() + ": " + sameAnswer(quiver, genai));
                    Side draws = new Side(null, Route.CHAT, null, false, s.maxTokens());
                    sides = new Sides(peer, quiver, quiverProcess, level -> genai.level(level.concurrency(),
                            level.duration(), s.maxTokens(), () -> draws.next(level.prompts())), during -> {
                                if (!genai.alive()) {
                                    throw new PeerFailed("the genai script exited during " + during + "; log tail: "
                                            + genai.tail());
                                }
                            }, null);
                    pairs = measure(sides, quiverReady, peerReady);
                }
            } else {
                try (ServerProcess other = start(peer.command(), peer.base(), peer.env(), peer.name())) {
                    Side peerSide = new Side(new OpenAiClient(peer.base(), null, Duration.ofMinutes(10)),
                            peer.route(), peer.model(), peer.minTokens(), s.maxTokens());
                    double peerReady = ready(other, peerSide, peer.name());
                    if (peer.route() == Route.IMAGES) {
                        notes.add(peer.twin().label() + " vs " + peer.name() + ": " + sameImages(quiverBase,
                                peer.base(), quiver.body(null, "a red fox", 1), peerSide.body(null, "a red fox", 1)));
                    }
                    sides = new Sides(peer, quiver, quiverProcess, level -> level(level, peerSide),
                            during -> stillRunning(other, peer.name(), during), peerSide);
                    pairs = measure(sides, quiverReady, peerReady);
                }
            }
            notes.add(sides.comparison() + ": " + shown(peer.command(), s.peersDir(), s.python()));
            return pairs;
        } catch (IOException e) {
            throw new PeerFailed("could not run " + peer.command().getFirst() + ": " + e.getMessage());
        }
    }

    /**
     * A peer's command line as the results keep it: no path of the machine it ran on (results are committed), the
     * peers folder as {@code <peers>}, the Python environment as {@code <venv>}, the checkout as relative paths.
     */
    static String shown(List<String> command, Path peersDir, Path python) {
        Path venv = python.toAbsolutePath().getParent().getParent();
        return String.join(" ", command)
                .replace(peersDir.toAbsolutePath().toString(), "<peers>")
                .replace(venv.toString(), "<venv>")
                .replace(Path.of("").toAbsolutePath() + "/", "");
    }

    /**
     * Both sides of one comparison: the peer's level runner (HTTP closed loop, or genai's batches) and its liveness
     * check, given what ran; {@code peerSide} only for an HTTP peer (the chat scenarios need it).
     */
    record Sides(ServerPeer peer, Side quiver, ServerProcess quiverProcess, Function<Level, LevelResult> peerLevel,
                 Consumer<String> peerAlive, Side peerSide) {

        /** Throws PeerFailed when either side died during {@code what}. */
        void alive(String what) {
            stillRunning(quiverProcess, "Quiver", what);
            peerAlive.accept(what);
        }

        String comparison() {
            return peer.twin().label() + " vs " + peer.name();
        }
    }

    private List<PairResult> measure(Sides sides, double quiverReady, double peerReady) throws InterruptedException {
        ServerPeer peer = sides.peer();
        String comparison = sides.comparison();
        boolean chat = peer.route() == Route.CHAT;
        List<PairResult> pairs = new ArrayList<>();
        pairs.add(new PairResult(comparison + ": ready", "process start → first answer s", false, quiverReady,
                peerReady, Alternation.ratio(quiverReady, peerReady, false), null, 1, List.of(quiverReady),
                List.of(peerReady)));
        List<Level> levels = new ArrayList<>();
        PromptSet shortPrompts = PromptSet.named("short", 13);
        s.levels(peer.route()).stream().filter(c -> !peer.oneStream() || c == 1)
                .forEach(c -> levels.add(new Level(c, shortPrompts, s.duration())));
        if (chat && !peer.oneStream()) {
            // RAG-sized prompts (1,000–1,500 tokens): prefill decides these, so each level runs longer.
            PromptSet longPrompts = PromptSet.named("long", 13);
            s.longStreams().forEach(c -> levels.add(new Level(c, longPrompts, s.longDuration())));
        }
        for (Level level : levels) {
            String name = comparison + ": " + level.label(chat);
            pairs.addAll(Alternation.run(name, s.rounds(), () -> level(level, sides.quiver()),
                    () -> sides.peerLevel().apply(level), chat, metrics(peer, level)));
            // A server that died during a level would show as 0 req/s; say it died, and how, instead.
            sides.alive(name);
        }
        if (chat) {
            ChatScenarios scenarios = new ChatScenarios(s, sides, pairs, checks, notes);
            scenarios.longAgainstShort();
            if (sides.peerSide() != null) {
                scenarios.joins();
                scenarios.sharedPrefix();
            }
        }
        return pairs;
    }

    /**
     * Both run greedy on the same graph, so their answers must be the same text: a check that the two sides do the
     * same work (a Quiver that answered something else, e.g. from a broken graph, would not be measuring the model).
     */
    private static String sameAnswer(Side quiver, GenaiPeer genai) throws IOException, InterruptedException {
        String prompt = "Why is the sky blue? Explain it briefly.";
        String q = quiver.answer(prompt, 16);
        String g = genai.answer(prompt, 16);
        if (q.equals(g)) {
            return "the same greedy answer (16 tokens) to \"" + prompt + "\": \"" + q + "\"";
        }
        System.out.println("WARNING: the sides answer differently: Quiver \"" + q + "\", genai \"" + g + "\"");
        return "DIFFERENT greedy answers (16 tokens) to \"" + prompt + "\": Quiver \"" + q + "\", onnxruntime-genai \""
                + g + "\"";
    }

    /**
     * One image from each side: the same PNG size, and Quiver's step counter for the UNet evaluations it took (the
     * peer runs the same scheduler from the same folder, so its count follows from the steps asked for).
     */
    private static String sameImages(URI quiver, URI peer, String quiverBody, String peerBody)
            throws InterruptedException {
        ImageCheck check = new ImageCheck();
        try {
            double before = check.quiverSteps(quiver, ServerPeer.OPTIMUM_SD_MODEL);
            ImageCheck.Size q = check.image(quiver, quiverBody);
            double steps = check.quiverSteps(quiver, ServerPeer.OPTIMUM_SD_MODEL) - before;
            ImageCheck.Size p = check.image(peer, peerBody);
            if (!q.equals(p) || !q.toString().equals(Side.IMAGE_SIZE)) {
                throw new PeerFailed("images differ in size: Quiver " + q + ", peer " + p + " (asked "
                        + Side.IMAGE_SIZE + ")");
            }
            return String.format("both answer one %s PNG for num_inference_steps=%d, guidance_scale=%s; Quiver ran "
                    + "%.0f UNet evaluations for it", q, Side.IMAGE_STEPS, Side.IMAGE_GUIDANCE, steps);
        } catch (IOException e) {
            throw new PeerFailed("image check failed: " + e.getMessage());
        }
    }

    /** The level's metrics, each with its target against this peer ({@link PeerTargets}). */
    private static List<Alternation.Metric> metrics(ServerPeer peer, Level level) {
        List<Alternation.Metric> plain = switch (peer.route()) {
            case CHAT, COMPLETIONS -> chatMetrics();
            case EMBEDDINGS -> embedMetrics();
            case IMAGES -> imageMetrics();
        };
        return plain.stream().map(m -> m.withTarget(PeerTargets.of(peer.name(), peer.route(), m.name(),
                level.concurrency(), level.longPrompts()))).toList();
    }

    /** n = 1 per request, so images/s is requests/s. */
    private static List<Alternation.Metric> imageMetrics() {
        return List.of(new Alternation.Metric("images/s", LevelResult::requestsPerSecond, true, null),
                new Alternation.Metric("e2e p50 ms", l -> l.e2e().p50(), false, null),
                new Alternation.Metric("e2e p99 ms", l -> l.e2e().p99(), false, null));
    }

    static List<Alternation.Metric> chatMetrics() {
        return List.of(new Alternation.Metric("output tokens/s", LevelResult::outputTokensPerSecond, true, null),
                new Alternation.Metric("TTFT p50 ms", l -> l.ttft().p50(), false, null),
                new Alternation.Metric("ITL p50 ms", l -> l.itl().p50(), false, null),
                new Alternation.Metric("ITL p99 ms", l -> l.itl().p99(), false, null));
    }

    private static List<Alternation.Metric> embedMetrics() {
        return List.of(new Alternation.Metric("requests/s", LevelResult::requestsPerSecond, true, null),
                new Alternation.Metric("e2e p50 ms", l -> l.e2e().p50(), false, null));
    }

    /** One load level: requests in flight, the prompts they draw from, how long each side runs. */
    record Level(int concurrency, PromptSet prompts, Duration duration) {
        boolean longPrompts() {
            return prompts.name().equals("long");
        }

        String label(boolean chat) {
            return (chat ? concurrency + " stream(s)" : "c=" + concurrency) + (longPrompts() ? ", long prompts" : "");
        }
    }

    static LevelResult level(Level level, Side side) {
        return ClosedLoop.run(level.concurrency(), level.duration(), 0, 1, i -> side.ask(level.prompts()));
    }

    private static ServerProcess start(List<String> command, URI base, Map<String, String> env, String who)
            throws IOException {
        System.out.println("starting " + who + ": " + String.join(" ", command));
        return ServerProcess.startCommand(command, base, env);
    }

    /** Seconds from process start to the first 200 answer, polled every 50 ms; PeerFailed with its log if never. */
    private double ready(ServerProcess process, Side side, String who) throws InterruptedException {
        long deadline = System.nanoTime() + s.startTimeout().toNanos();
        String last = "no answer";
        String probe = side.body(null, "Hi", 1);
        while (System.nanoTime() < deadline && process.alive()) {
            Outcome o = side.send(probe);
            if (o.ok()) {
                double seconds = process.sinceStartNanos() / 1e9;
                System.out.printf("%s answered %.2f s after its start%n", who, seconds);
                return seconds;
            }
            last = o.error();
            Thread.sleep(50);
        }
        throw new PeerFailed(who + (process.alive() ? " gave no answer within " + s.startTimeout().toSeconds()
                + " s (last: " + last + ")" : " exited (status " + process.exitCode() + ")") + "; log tail: "
                + tail(process));
    }

    static void stillRunning(ServerProcess process, String who, String level) {
        if (!process.alive()) {
            throw new PeerFailed(who + " exited (status " + process.exitCode() + ") during " + level + "; log tail: "
                    + tail(process));
        }
    }

    private static String tail(ServerProcess process) {
        List<String> log = process.log();
        return String.join(" | ", log.subList(Math.max(0, log.size() - 6), log.size()));
    }

    /** A server that did not start or answer: the comparison is reported as not run, with why. */
    static final class PeerFailed extends RuntimeException {
        PeerFailed(String message) {
            super(message);
        }
    }
}
