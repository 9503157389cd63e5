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
import java.util.function.Supplier;

/**
 * {@code bench compare --suite servers}: the packaged Quiver against each peer server in turn, both over loopback
 * HTTP with the same load client. For each peer a fresh Quiver serving only the twin model and the peer are started,
 * their ready times measured (process start → first answer), then every level is alternated A B B A.
 */
final class ServersSuite {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Everything one peer needs from the command line. */
    record Settings(List<String> peers, Path peersDir, Path smollm2, Path java, Path jar, int quiverPort,
                    int peerPort, List<Integer> streams, List<Integer> embedConcurrency, int maxTokens, int rounds,
                    Duration duration, int cpus, Duration startTimeout) {
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
        int maxStreams = s.streams().stream().mapToInt(Integer::intValue).max().orElse(1);
        int maxEmbed = s.embedConcurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
        for (String key : s.peers()) {
            ServerPeer peer = ServerPeer.named(key, s.peersDir(), s.smollm2().toAbsolutePath(),
                    key.equals("infinity") ? maxEmbed : maxStreams, s.cpus(), s.peerPort());
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
                for (int c : chat ? s.streams() : s.embedConcurrency()) {
                    Supplier<LevelResult> q = () -> level(c, i -> quiverClient.call(peer.route(),
                            body(quiverSpec, prompts.get(i), false, s.maxTokens()), chat));
                    Supplier<LevelResult> p = () -> level(c, i -> peerClient.call(peer.route(),
                            body(peerSpec, prompts.get(i), peer.minTokens(), s.maxTokens()), chat));
                    String name = comparison + ": " + (chat ? c + " stream(s)" : "c=" + c);
                    pairs.addAll(Alternation.run(name, s.rounds(), q, p, chat, chat ? chatMetrics() : embedMetrics()));
                }
            }
        } catch (IOException e) {
            throw new PeerFailed("could not run " + peer.command().getFirst() + ": " + e.getMessage());
        }
        notes.add(peer.twin().label() + " vs " + peer.name() + ": " + String.join(" ", peer.command())
                .replace(s.peersDir().toAbsolutePath().toString(), "<peers>"));
        return pairs;
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
        return new RequestSpec(route, model, route == Route.CHAT, s.maxTokens(), null, 0);
    }

    /** The shared body, with {@code max_tokens} overridden (1 for the ready probe) and vLLM's min_tokens. */
    private static String body(RequestSpec spec, String prompt, boolean minTokens, int maxTokens) {
        try {
            ObjectNode body = (ObjectNode) JSON.readTree(spec.body(prompt));
            if (spec.route() == Route.CHAT) {
                body.put("max_tokens", maxTokens);
                if (minTokens) {
                    body.put("min_tokens", maxTokens);
                }
            }
            return body.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private LevelResult level(int concurrency, ClosedLoop.Call call) {
        return ClosedLoop.run(concurrency, s.duration(), 0, 1, call);
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
        List<String> log = process.log();
        String tail = String.join(" | ", log.subList(Math.max(0, log.size() - 6), log.size()));
        throw new PeerFailed(who + (process.alive() ? " gave no answer within " + s.startTimeout().toSeconds()
                + " s (last: " + last + ")" : " exited") + "; log tail: " + tail);
    }

    /** A server that did not start or answer: the comparison is reported as not run, with why. */
    static final class PeerFailed extends RuntimeException {
        PeerFailed(String message) {
            super(message);
        }
    }
}
