package io.quiver.bench.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.bench.compare.ChatFamily;
import io.quiver.bench.kpa.KpaSettings;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Quiver scaled by Knative Serving's own control plane: a single-node Kubernetes built and started by
 * deployment/cluster/ (etcd, apiserver, controller-manager, scheduler, kubelet on containerd + runc, kube-proxy), with
 * Knative Serving v0.42.2's release installed, and the repository's manifests applied with kubectl (the changes in
 * {@link Manifests}). No Knative networking layer runs here: requests go where the ingress would send them, the
 * revision's Service with the activator's routing headers. The tests share the cluster and run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KnativeServingIT {
    /** Shortened for the test (cluster-wide, config-autoscaler): how long the last pod stays once zero is decided. */
    static final String SCALE_TO_ZERO_GRACE = "10s";

    Cluster cluster;
    Revisions revisions;
    ObjectNode v1;
    RevisionTraffic traffic;

    @BeforeAll
    @Timeout(value = 75, unit = TimeUnit.MINUTES)
    void startCluster() throws Exception {
        Path archive = Cluster.repositoryRoot().resolve("runtime/target/quiver-image-aot.oci.tar");
        assertTrue(Files.isRegularFile(archive), "no image archive " + archive
                + ": deployment/image-offline.sh and image-aot.sh build it (deployment/cluster/e2e.sh runs both)");
        cluster = Cluster.start();
        revisions = new Revisions(cluster);
        Instant t = Instant.now();
        cluster.ctr("images", "import", "--base-name", "dev.local/quiver", "--index-name", Manifests.IMAGE,
                archive.toString());
        System.out.printf("image %s loaded into containerd in %d ms%n", Manifests.IMAGE,
                Duration.between(t, Instant.now()).toMillis());
        cluster.kubectl("-n", "knative-serving", "patch", "configmap", "config-autoscaler", "--type", "merge", "-p",
                "{\"data\":{\"scale-to-zero-grace-period\":\"" + SCALE_TO_ZERO_GRACE + "\"}}");
        cluster.kubectl("-n", "knative-serving", "patch", "configmap", "config-logging", "--type", "merge", "-p",
                "{\"data\":{\"loglevel.autoscaler\":\"debug\"}}");
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void revisionBecomesReadyThenScalesToZero() throws Exception {
        v1 = Manifests.withTinyChat(Manifests.forCluster(cluster, "deployment/knative/service-cpu.yaml"));
        String revision = Manifests.revisionName(v1);
        revisions.apply(v1);
        revisions.awaitReady(revision);
        Instant ready = Instant.now();
        JsonNode pod = revisions.pods(revision).getFirst();
        List<String> containers = new ArrayList<>();
        pod.at("/spec/containers").forEach(c -> containers.add(c.path("name").asText()));
        assertEquals(List.of("quiver", "queue-proxy"), containers, "Knative's pod: Quiver and its queue-proxy");
        traffic = new RevisionTraffic(revision, revisions.serviceIp(revision));

        revisions.awaitZero(revision, Duration.ofMinutes(3));
        JsonNode pa = cluster.json("get", "podautoscaler", revision);
        assertEquals(0, pa.at("/status/actualScale").asInt(), pa.toString());
        System.out.printf("%s: Ready, then at zero %d ms later (window %s, scale-to-zero grace %s)%n", revision,
                Duration.between(ready, Instant.now()).toMillis(),
                v1.at("/spec/template/metadata/annotations").path("autoscaling.knative.dev/window").asText(),
                SCALE_TO_ZERO_GRACE);
    }

    @Test
    @Order(2)
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aRequestFromZeroIsHeldByTheActivatorScaledAndAnswered() throws Exception {
        String revision = traffic.revision;
        revisions.awaitZero(revision, Duration.ofMinutes(3));
        double activatorBefore = traffic.activatorRequests(cluster);
        try (KubeWatch deployments = new KubeWatch(cluster, "deployment", revision + "-deployment");
             KubeWatch pods = new KubeWatch(cluster, "pods", "-l", "serving.knative.dev/revision=" + revision)) {
            Thread.sleep(1000); // both watches have listed what exists
            Instant sent = Instant.now();
            CompletableFuture<HttpResponse<InputStream>> embedding = traffic.http.sendAsync(
                    traffic.embeddings("from zero"), HttpResponse.BodyHandlers.ofInputStream());
            CompletableFuture<HttpResponse<InputStream>> chat = traffic.http.sendAsync(
                    traffic.chatStream(32), HttpResponse.BodyHandlers.ofInputStream());

            HttpResponse<InputStream> e = embedding.get(150, TimeUnit.SECONDS);
            InputStream body = e.body();
            int firstByte = body.read();
            Instant firstByteAt = Instant.now();
            String json = (char) firstByte + new String(body.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(200, e.statusCode(), json);
            assertEquals(384, Cluster.JSON.readTree(json).at("/data/0/embedding").size(), json);

            HttpResponse<InputStream> c = chat.get(150, TimeUnit.SECONDS);
            assertEquals(200, c.statusCode());
            List<String> events = RevisionTraffic.dataLines(c.body(), Duration.ofSeconds(60));
            assertEquals("[DONE]", events.getLast(), events.toString());
            assertTrue(events.get(events.size() - 2).contains("\"finish_reason\":\"length\""), events.toString());

            ColdStart cold = ColdStart.of(sent, deployments, pods, cluster, firstByteAt);
            System.out.println("request -> first byte from zero, " + revision + ":\n" + cold.table());
            List<Instant> order = List.copyOf(cold.steps.values());
            assertTrue(cold.millis("request sent", "Deployment scaled to 1") >= 0, cold.table());
            assertTrue(cold.millis("pod created", "pod scheduled") >= 0, cold.table());
            assertTrue(cold.millis("Quiver ready", "first byte") >= 0, cold.table());
            assertTrue(order.getLast().isAfter(order.getFirst()), cold.table());
        }
        double activatorAfter = traffic.activatorRequests(cluster);
        assertTrue(activatorAfter - activatorBefore >= 2,
                "both requests passed the activator: " + activatorBefore + " -> " + activatorAfter);
    }

    @Test
    @Order(3)
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aFloodAtTenTimesTheCapNeverPassesItAndAsksForMorePods() throws Exception {
        String revision = traffic.revision;
        int cap = Manifests.containerConcurrency(v1);
        awaitReadyPod(revision);
        Instant from;
        Instant to;
        ScalingComparison c;
        int maxRunning;
        int samples;
        try (PodLoad pods = new PodLoad(cluster, revision)) {
            from = Instant.now();
            // one client first: the pod stays, and Knative's decider leaves any panic of the cold start before it
            traffic.closedLoop(1, Duration.ofSeconds(12));
            traffic.closedLoop(10 * cap, Duration.ofSeconds(30));
            to = Instant.now();
            Thread.sleep(3000); // the autoscaler's last ticks of the flood are logged
            maxRunning = pods.maxRunning();
            samples = pods.samples();
            c = ScalingComparison.of(cluster, v1, revision, from, to, traffic, pods);
        }
        System.out.printf("flood: %d clients for 30 s after one for 12 s: outcomes %s %s; Quiver's running gauge "
                + "at most %d in any pod (cap %d, %d samples)%n", 10 * cap, traffic.outcomes, traffic.failures,
                maxRunning, cap, samples);
        KpaSettings settings = Manifests.kpaSettings(v1);
        int replicas = cluster.json("get", "deployment", revision + "-deployment").at("/spec/replicas").asInt();
        System.out.println("autoscaler, " + revision + ", Knative beside the simulator:\n" + c.table(from));
        System.out.printf("Deployment %s-deployment asked for %d replicas (max-scale %d)%n", revision, replicas,
                settings.maxScale());

        assertTrue(maxRunning <= cap, "running " + maxRunning + " > cap " + cap);
        assertEquals(cap, maxRunning, "the flood filled the pod");
        assertEquals(java.util.Set.of("200"), traffic.outcomes.keySet(), traffic.outcomes + " " + traffic.failures);
        // 10 x cap in flight at the revision's target asks for more pods than max-scale allows
        int expected = (int) Math.ceil(10 * cap / settings.targetValue());
        assertTrue(expected > settings.maxScale(), expected + " pods wanted, max-scale " + settings.maxScale());
        assertEquals(settings.maxScale(), c.maxKnative(), "Knative asked for max-scale pods");
        assertEquals(settings.maxScale(), replicas, "the Deployment's replicas");
        assertEquals(List.of(), c.replayMismatches);
        assertAgrees(c);
    }

    /**
     * canary.yaml's revision (the next step of service-cpu.yaml, the same tuned annotations) over a stepped load:
     * a few clients, more, none. Its autoscaler's count at every tick is the simulator's within a tick.
     */
    @Test
    @Order(4)
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aSecondRevisionWithTheTunedAnnotationsScalesAsTheSimulatorSaid() throws Exception {
        // the flood's revision leaves the node first: its pods hold the CPU the new revision's first pod asks for
        revisions.awaitZero(traffic.revision, Duration.ofMinutes(3));
        ObjectNode v2 = Manifests.withTinyChat(Manifests.forCluster(cluster, "deployment/knative/canary.yaml"));
        String revision = Manifests.revisionName(v2);
        revisions.apply(v2);
        revisions.awaitReady(revision);
        RevisionTraffic load = new RevisionTraffic(revision, revisions.serviceIp(revision));
        ScalingComparison c;
        Instant from;
        try (PodLoad pods = new PodLoad(cluster, revision)) {
            from = Instant.now();
            load.closedLoop(1, Duration.ofSeconds(12));
            load.closedLoop(2, Duration.ofSeconds(20));
            load.closedLoop(6, Duration.ofSeconds(20));
            Thread.sleep(16_000);
            c = ScalingComparison.of(cluster, v2, revision, from, Instant.now(), load, pods);
        }
        System.out.println("autoscaler, " + revision + ", 1, 2, 6 then no clients, Knative beside the simulator:\n"
                + c.table(from));
        assertEquals(java.util.Set.of("200"), load.outcomes.keySet(), load.outcomes + " " + load.failures);
        assertTrue(c.rows.size() >= 25, "ticks logged: " + c.rows.size());
        assertEquals(List.of(), c.replayMismatches);
        assertAgrees(c);
        assertTrue(c.maxKnative() >= (int) Math.ceil(6 / Manifests.kpaSettings(v2).targetValue()) - 1,
                "the second step scaled out: " + c.maxKnative());
        traffic = load;
    }

    /**
     * The pod is deleted while it streams: the kubelet signals queue-proxy and runs Quiver's preStop (queue-proxy's
     * drain), then Quiver drains. The stream ends with its finish chunk and [DONE] (or its abort chunk), never hangs.
     */
    @Test
    @Order(5)
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void deletingThePodMidStreamEndsTheStream() throws Exception {
        String revision = traffic.revision;
        // from zero: the stream's pod is then the revision's only one, which the autoscaler keeps for one request
        revisions.awaitZero(revision, Duration.ofMinutes(3));
        HttpResponse<InputStream> stream = traffic.open(traffic.chatStream(480));
        assertEquals(200, stream.statusCode());
        BufferedReader body = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8));
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        String line;
        while ((line = body.readLine()) != null && !line.contains("\"content\"")) {
            if (line.startsWith("data: ")) {
                events.add(line.substring(6));
            }
        }
        String name = streamingPod(revision);
        Instant deleted = Instant.now();
        cluster.kubectl("delete", "pod", name, "--wait=false");
        // read the rest on a thread of its own: a stream that never ends is closed after the revision's timeout
        Thread reader = Thread.ofVirtual().start(() -> body.lines().filter(l -> l.startsWith("data: "))
                .map(l -> l.substring(6)).forEach(events::add));
        long timeoutSeconds = v1.at("/spec/template/spec/timeoutSeconds").asLong() + 30;
        boolean ended = reader.join(Duration.ofSeconds(timeoutSeconds));
        long streamEnded = Duration.between(deleted, Instant.now()).toMillis();
        if (!ended) {
            stream.body().close();
        }
        assertTrue(ended, "the stream hung: no end " + timeoutSeconds + " s after the pod's deletion; last events "
                + events.subList(Math.max(0, events.size() - 2), events.size()) + "\n"
                + cluster.kubectl("get", "events", "--field-selector", "involvedObject.name=" + name));
        assertEquals("[DONE]", events.getLast(), events.subList(Math.max(0, events.size() - 3), events.size()).toString());
        String finish = events.get(events.size() - 2);
        assertTrue(finish.contains("\"finish_reason\":\"length\"") || finish.contains("\"finish_reason\":\"abort\""),
                finish);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (revisions.pods(revision).stream().anyMatch(p -> p.at("/metadata/name").asText().equals(name))) {
            assertTrue(System.nanoTime() < deadline, "pod " + name + " still there 3 min after its deletion");
            Thread.sleep(500);
        }
        System.out.printf("pod %s deleted mid-stream: the stream ended %d ms later (%s), the pod was gone %d ms "
                + "later%n", name, streamEnded, finish.replaceAll(".*\"finish_reason\":\"(\\w+)\".*", "$1"),
                Duration.between(deleted, Instant.now()).toMillis());
    }

    /**
     * The GPU and cGPU Services cannot be scheduled here (no GPU), but Knative's webhook validates them like any
     * other: a server-side dry run passes through it once config-features allows PersistentVolumeClaim volumes
     * (deployment/README.md says so), and not before.
     */
    @Test
    @Order(6)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theGpuManifestsPassKnativesWebhook() throws Exception {
        List<String> files = List.of("deployment/knative/service-gpu.yaml", "deployment/knative/service-cgpu.yaml");
        // Knative's defaults refuse a PersistentVolumeClaim volume: both mount their model from one
        for (String file : files) {
            Cluster.Result r = cluster.kubectlResult("apply", "--dry-run=server", "-f",
                    cluster.root.resolve(file).toString());
            assertEquals(1, r.code(), file + " passed with PVC volumes disabled: " + r.stdout());
            assertTrue(r.stderr().contains("Persistent volume claim support is disabled"), r.stderr());
        }
        cluster.kubectl("-n", "knative-serving", "patch", "configmap", "config-features", "--type", "merge", "-p",
                "{\"data\":{\"kubernetes.podspec-persistent-volume-claim\":\"enabled\"}}");
        for (String file : files) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Cluster.Result r;
            while ((r = cluster.kubectlResult("apply", "--dry-run=server", "-f",
                    cluster.root.resolve(file).toString())).code() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(1000); // the webhook reads config-features through an informer
            }
            assertEquals(0, r.code(), file + ": " + r.stderr());
        }
    }

    /**
     * A chat model of real size from zero: service-chat-cpu.yaml over the 1.5B R1-shaped graph in the model builder's
     * int4 layout (bench/shapes/make-r1-genai.sh), its model volume a PersistentVolume over that folder on this
     * node ({@link ModelVolume}; the test after the GPU manifests', which allows such volumes). The revision's first
     * pod loads the model (so the node's page cache holds it, as on a node that served it before), the revision goes
     * to zero, then one stream comes from zero, taken apart as the embedding's was.
     */
    @Test
    @Order(7)
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void aRealSizedChatModelComesFromZero() throws Exception {
        Path shape = Path.of(System.getenv().getOrDefault("QUIVER_R1_SHAPE_DIR",
                cluster.root.resolve(".cache/models/r1-distill-qwen-1.5b-shape").toString()));
        Path model = ChatFamily.r1Shape(shape).builder();
        assertTrue(Files.isRegularFile(model.resolve("genai_config.json")), "no model-builder export in " + model
                + ": bench/shapes/make-r1-genai.sh makes it (deployment/cluster/e2e.sh runs it)");
        cluster.apply(ModelVolume.volume("r1-shape-genai", model));
        cluster.apply(ModelVolume.claim("r1-shape-genai"));
        ObjectNode chat = Manifests.forCluster(cluster, "deployment/knative/service-chat-cpu.yaml");
        Manifests.setEnv(chat, "QUIVER_MODELS_CHAT_PATH", "/models"); // the volume is the export's folder
        revisions.apply(chat);
        String revision = revisions.latestCreated(chat.at("/metadata/name").asText());
        revisions.awaitReady(revision);
        RevisionTraffic streams = new RevisionTraffic(revision, revisions.serviceIp(revision));
        revisions.awaitZero(revision, Duration.ofMinutes(4));
        try (KubeWatch deployments = new KubeWatch(cluster, "deployment", revision + "-deployment");
             KubeWatch pods = new KubeWatch(cluster, "pods", "-l", "serving.knative.dev/revision=" + revision)) {
            Thread.sleep(1000); // both watches have listed what exists
            Instant sent = Instant.now();
            HttpResponse<InputStream> r = streams.open(streams.chatStream("chat", 16));
            assertEquals(200, r.statusCode());
            var stream = RevisionTraffic.StreamedEvents.read(r.body(), Duration.ofSeconds(120));
            assertEquals("[DONE]", stream.events().getLast(), stream.events().toString());
            assertTrue(stream.firstToken() != null, "no token in " + stream.events());
            ColdStart cold = ColdStart.of(sent, deployments, pods, cluster, stream.firstByte());
            cold.steps.put("first token", stream.firstToken());
            System.out.println("request -> first token from zero, " + revision + " (1.5B R1 shape, builder int4):\n"
                    + cold.table());
            assertTrue(cold.millis("Quiver ready", "first token") >= 0, cold.table());
        }
    }

    /**
     * The simulator said what Knative did: Knative observed most of what the client offered (never more), and the
     * simulator, fed that share of the client's load, asked for Knative's count within a tick at three ticks in
     * four and was never more than one pod off. Not at every tick: the two measure the load at other places and
     * instants (ScalingComparison), which at a step of the load can put a count one tick or one pod apart.
     */
    private static void assertAgrees(ScalingComparison c) {
        assertTrue(c.compared() >= 10, "ticks compared: " + c.compared());
        assertTrue(c.observedShare >= 0.7 && c.observedShare <= 1.05,
                "Knative observed " + c.observedShare + " of the offered concurrency");
        assertTrue(c.mostPodsApart() <= 1, "the simulator and Knative " + c.mostPodsApart() + " pods apart");
        assertTrue(c.agreeing() * 4 >= c.compared() * 3,
                "ticks agreeing within a tick: " + c.agreeing() + " of " + c.compared());
    }

    /** The one pod of the revision whose Quiver runs a request now (its running gauge). */
    private String streamingPod(String revision) throws Exception {
        List<String> running = new ArrayList<>();
        for (JsonNode p : revisions.pods(revision)) {
            String ip = p.at("/status/podIP").asText();
            if (ip.isEmpty()) {
                continue;
            }
            String text = traffic.http.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":8080/q/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            if (PodLoad.sum(text, "quiver_requests_running") >= 1) {
                running.add(p.at("/metadata/name").asText());
            }
        }
        assertEquals(1, running.size(), "pods running the stream: " + running);
        return running.getFirst();
    }

    private JsonNode awaitReadyPod(String revision) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            for (JsonNode p : revisions.pods(revision)) {
                if (ColdStart.condition(p, "Ready")) {
                    return p;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no ready pod of " + revision);
            traffic.send(traffic.embeddings("wake up"));
            Thread.sleep(500);
        }
    }

}
