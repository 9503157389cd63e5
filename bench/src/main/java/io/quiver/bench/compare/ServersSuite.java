package io.quiver.bench.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.bench.load.ClosedLoop;
import io.quiver.bench.load.OpenAiClient;
import io.quiver.bench.load.Outcome;
import io.quiver.bench.load.PromptSet;
import io.quiver.bench.load.RequestSpec;
import io.quiver.bench.load.Route;
import io.quiver.bench.results.LevelResult;
import io.quiver.bench.startup.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@code bench compare --suite servers}: the packaged Quiver against each peer server in turn, both over loopback
 * HTTP with the same load client. For each peer a fresh Quiver serving only the twin model and the peer are started,
 * their ready times measured (process start → first answer), then every level is alternated A B B A.
 */
final class ServersSuite {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The tiny SD twin's own defaults (64×64, PNDM from its scheduler config, 25 steps, guidance 7.5), sent
     *  explicitly so that a peer with other defaults (diffusers': 50 steps) does the same work. */
    static final String IMAGE_SIZE = "64x64";
    static final int IMAGE_STEPS = 25;
    static final double IMAGE_GUIDANCE = 7.5;

    /** Everything one peer needs from the command line. */
    record Settings(List<String> peers, Path peersDir, Path smollm2, Path java, Path jar, int quiverPort,
                    int peerPort, List<Integer> streams, List<Integer> embedConcurrency,
                    List<Integer> imageConcurrency, int maxTokens, int rounds, Duration duration, int cpus,
                    Duration startTimeout, List<Integer> longStreams, Duration longDuration) {

        /** The load levels a peer on {@code route} is measured at. */
        List<Integer> levels(Route route) {
            return switch (route) {
                case CHAT, COMPLETIONS -> streams;
                case EMBEDDINGS -> embedConcurrency;
                case IMAGES -> imageConcurrency;
            };
        }
    }

    private final Settings s;
    private final List<String> notes = new ArrayList<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    ServersSuite(Settings settings) {
        this.s = settings;
    }

    List<String> notes() {
        return notes;
    }

    /** Peers that could not start, with why. */
    Map<String, String> unavailable() {
        return unavailable;
    }

    List<PairResult> run() throws InterruptedException {
        List<PairResult> pairs = new ArrayList<>();
        for (String key : s.peers()) {
            // The route is known once the peer is named; its most concurrent level sizes its slots.
            Route route = ServerPeer.named(key, s.peersDir(), s.smollm2(), 1, s.cpus(), s.peerPort()).route();
            int most = s.levels(route).stream().mapToInt(Integer::intValue).max().orElse(1);
            ServerPeer peer = ServerPeer.named(key, s.peersDir(), s.smollm2().toAbsolutePath(), most, s.cpus(),
                    s.peerPort());
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
        quiverCmd.addAll(peer.twin().jvmOptions());
        quiverCmd.addAll(List.of("-Dquarkus.http.port=" + s.quiverPort(), "-jar", s.jar().toString()));
        URI quiverBase = URI.create("http://127.0.0.1:" + s.quiverPort());
        boolean chat = peer.route() == Route.CHAT;
        PromptSet prompts = PromptSet.named("short", 13);
        PromptSet longPrompts = PromptSet.named("long", 13);
        RequestSpec quiverSpec = spec(peer.route(), peer.twin().model());
        RequestSpec peerSpec = spec(peer.route(), peer.model());
        OpenAiClient quiverClient = new OpenAiClient(quiverBase, null, Duration.ofMinutes(10));
        OpenAiClient peerClient = new OpenAiClient(peer.base(), null, Duration.ofMinutes(10));
        List<PairResult> pairs = new ArrayList<>();
        try (ServerProcess quiver = start(quiverCmd, quiverBase, Map.of(), "Quiver")) {
            // Ready = process start → first answer; each server starts alone so neither slows the other's start.
            double quiverReady = ready(quiver, quiverClient, peer.route(), body(quiverSpec, "Hi", false, 1), "Quiver");
            try (ServerProcess other = start(peer.command(), peer.base(), peer.env(), peer.name())) {
                double peerReady = ready(other, peerClient, peer.route(), body(peerSpec, "Hi", peer.minTokens(), 1),
                        peer.name());
                String comparison = peer.twin().label() + " vs " + peer.name();
                pairs.add(new PairResult(comparison + ": ready", "process start → first answer s", false,
                        quiverReady, peerReady, Alternation.ratio(quiverReady, peerReady, false), null, 1,
                        List.of(quiverReady), List.of(peerReady)));
                if (peer.route() == Route.IMAGES) {
                    notes.add(comparison + ": " + sameImages(quiverBase, peer.base(), body(quiverSpec, "a red fox",
                            false, 1), body(peerSpec, "a red fox", false, 1)));
                }
                List<Level> levels = new ArrayList<>();
                s.levels(peer.route()).forEach(c -> levels.add(new Level(c, prompts, s.duration())));
                if (chat) {
                    // RAG-sized prompts (1,000–1,500 tokens): prefill decides these, so each level runs longer.
                    s.longStreams().forEach(c -> levels.add(new Level(c, longPrompts, s.longDuration())));
                }
                // Each server's requests draw prompts 0, 1, 2, ... across levels, rounds and warm-ups: the same
                // sequence on both sides, and never a prompt twice to one server (whose prefix cache would reuse it).
                AtomicLong quiverNext = new AtomicLong();
                AtomicLong peerNext = new AtomicLong();
                for (Level level : levels) {
                    int c = level.concurrency();
                    Supplier<LevelResult> q = () -> level(level, i -> quiverClient.call(peer.route(),
                            body(quiverSpec, level.prompts().get(quiverNext.getAndIncrement()), false,
                                    s.maxTokens()), chat));
                    Supplier<LevelResult> p = () -> level(level, i -> peerClient.call(peer.route(),
                            body(peerSpec, level.prompts().get(peerNext.getAndIncrement()), peer.minTokens(),
                                    s.maxTokens()), chat));
                    String name = comparison + ": " + (chat ? c + " stream(s)" : "c=" + c)
                            + (level.longPrompts() ? ", long prompts" : "");
                    pairs.addAll(Alternation.run(name, s.rounds(), q, p, chat, metrics(peer, level)));
                    // A server that died during a level would show as 0 req/s; say it died, and how, instead.
                    stillRunning(quiver, "Quiver", name);
                    stillRunning(other, peer.name(), name);
                }
            }
        } catch (IOException e) {
            throw new PeerFailed("could not run " + peer.command().getFirst() + ": " + e.getMessage());
        }
        notes.add(peer.twin().label() + " vs " + peer.name() + ": " + String.join(" ", peer.command())
                .replace(s.peersDir().toAbsolutePath().toString(), "<peers>"));
        return pairs;
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
            if (!q.equals(p) || !q.toString().equals(IMAGE_SIZE)) {
                throw new PeerFailed("images differ in size: Quiver " + q + ", peer " + p + " (asked " + IMAGE_SIZE
                        + ")");
            }
            return String.format("both answer one %s PNG for num_inference_steps=%d, guidance_scale=%s; Quiver ran "
                    + "%.0f UNet evaluations for it", q, IMAGE_STEPS, IMAGE_GUIDANCE, steps);
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
        return plain.stream().map(m -> new Alternation.Metric(m.name(), m.read(), m.higherIsBetter(),
                PeerTargets.of(peer.name(), peer.route(), m.name(), level.concurrency(), level.longPrompts())))
                .toList();
    }

    /** n = 1 per request, so images/s is requests/s. */
    private static List<Alternation.Metric> imageMetrics() {
        return List.of(new Alternation.Metric("images/s", LevelResult::requestsPerSecond, true, null),
                new Alternation.Metric("e2e p50 ms", l -> l.e2e().p50(), false, null),
                new Alternation.Metric("e2e p99 ms", l -> l.e2e().p99(), false, null));
    }

    private static List<Alternation.Metric> chatMetrics() {
        return List.of(new Alternation.Metric("output tokens/s", LevelResult::outputTokensPerSecond, true, null),
                new Alternation.Metric("TTFT p50 ms", l -> l.ttft().p50(), false, null),
                new Alternation.Metric("ITL p50 ms", l -> l.itl().p50(), false, null));
    }

    private static List<Alternation.Metric> embedMetrics() {
        return List.of(new Alternation.Metric("requests/s", LevelResult::requestsPerSecond, true, null),
                new Alternation.Metric("e2e p50 ms", l -> l.e2e().p50(), false, null));
    }

    private RequestSpec spec(Route route, String model) {
        return new RequestSpec(route, model, route == Route.CHAT, s.maxTokens(), IMAGE_SIZE, IMAGE_STEPS);
    }

    /**
     * The shared body, with {@code max_tokens} overridden (1 for the ready probe) and vLLM's min_tokens; an image
     * request also names its guidance scale (the ready probe is a whole one-image request).
     */
    private static String body(RequestSpec spec, String prompt, boolean minTokens, int maxTokens) {
        try {
            ObjectNode body = (ObjectNode) JSON.readTree(spec.body(prompt));
            if (spec.route() == Route.CHAT) {
                body.put("max_tokens", maxTokens);
                if (minTokens) {
                    body.put("min_tokens", maxTokens);
                }
            } else if (spec.route() == Route.IMAGES) {
                body.put("guidance_scale", IMAGE_GUIDANCE);
            }
            return body.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One load level: requests in flight, the prompts they draw from, how long each side runs. */
    private record Level(int concurrency, PromptSet prompts, Duration duration) {
        boolean longPrompts() {
            return prompts.name().equals("long");
        }
    }

    private LevelResult level(Level level, ClosedLoop.Call call) {
        return ClosedLoop.run(level.concurrency(), level.duration(), 0, 1, call);
    }

    private static ServerProcess start(List<String> command, URI base, Map<String, String> env, String who)
            throws IOException {
        System.out.println("starting " + who + ": " + String.join(" ", command));
        return ServerProcess.startCommand(command, base, env);
    }

    /** Seconds from process start to the first 200 answer, polled every 50 ms; PeerFailed with its log if never. */
    private double ready(ServerProcess process, OpenAiClient client, Route route, String body, String who)
            throws InterruptedException {
        long deadline = System.nanoTime() + s.startTimeout().toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline && process.alive()) {
            Outcome o = client.call(route, body, route == Route.CHAT);
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

    private static void stillRunning(ServerProcess process, String who, String level) {
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
