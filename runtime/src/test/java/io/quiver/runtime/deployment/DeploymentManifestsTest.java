package io.quiver.runtime.deployment;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.knative.serving.v1.RevisionSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.quiver.runtime.config.QuiverConfig;
import io.quiver.runtime.config.Settings;
import io.quiver.runtime.metrics.QuiverMetrics;
import io.restassured.http.ContentType;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SysPropConfigSource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * deployment/ against the code: every manifest parses into the Kubernetes / Knative model classes with no unknown
 * field, and every cap, env name, probe path and metric the manifests, the KEDA query and the Grafana dashboard
 * use exists in this running application (its config mapping, its routes, its /q/metrics after real requests).
 */
@QuarkusTest
class DeploymentManifestsTest {
    static final Path DEPLOYMENT = locate();
    private static final ObjectMapper YAML = StrictManifests.YAML;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Pattern METRIC = Pattern.compile("\\bquiver_[a-z0-9_]*[a-z0-9]\\b");
    /** A whole QUIVER_ name (not a pattern such as QUIVER_MODELS_<NAME>_PATH). */
    private static final Pattern ENV_NAME = Pattern.compile("\\bQUIVER_[A-Z0-9_]*[A-Z0-9](?![A-Za-z0-9_<*])");
    private static final Duration KNATIVE_DEFAULT_PROGRESS_DEADLINE = Duration.ofSeconds(600);

    /** KEDA has no fabric8 model: the fields this repository uses, and no others. */
    record ScaledObject(String apiVersion, String kind, io.fabric8.kubernetes.api.model.ObjectMeta metadata,
                        ScaledObjectSpec spec) {
    }

    record ScaledObjectSpec(ScaleTarget scaleTargetRef, Integer minReplicaCount, Integer maxReplicaCount,
                            Integer pollingInterval, Integer cooldownPeriod, List<Trigger> triggers) {
    }

    record ScaleTarget(String name, String kind, String apiVersion) {
    }

    record Trigger(String type, Map<String, String> metadata) {
    }

    /**
     * The inference gateway's EndpointPickerConfig has no fabric8 model: the fields deployment/gateway uses. Its
     * plugins' parameters are read by GatewayMetricsIT, through the picker's own decoder and factories.
     */
    record EndpointPickerConfig(String apiVersion, String kind, List<PickerPlugin> plugins,
                                PickerDataLayer dataLayer) {
    }

    record PickerPlugin(String name, String type, JsonNode parameters) {
    }

    record PickerDataLayer(List<PickerSource> sources) {
    }

    record PickerSource(String pluginRef, List<PickerRef> extractors) {
    }

    record PickerRef(String pluginRef) {
    }

    /** The metric specifications of the picker's per-engine mappings. */
    private static final List<String> PICKER_SPECS = List.of("queuedRequestsSpec", "runningRequestsSpec",
            "kvUsageSpec", "loraSpec", "cacheInfoSpec");

    @Inject
    QuiverMetrics metrics;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void everyManifestParsesStrictlyAndFitsTheApplication() throws IOException {
        List<Object> resources = new ArrayList<>();
        for (Path file : files(".yaml")) {
            for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll()) {
                resources.add(StrictManifests.parse(file, doc));
            }
        }
        assertTrue(resources.size() >= 8, "manifests found: " + resources.size());
        Set<String> kinds = new TreeSet<>();
        for (Object r : resources) {
            kinds.add(r.getClass().getSimpleName());
            switch (r) {
                case io.fabric8.knative.serving.v1.Service ksvc -> checkKnative(ksvc);
                case Deployment deployment -> checkDeployment(deployment);
                case io.fabric8.knative.eventing.v1.Trigger trigger -> checkTrigger(trigger);
                default -> {
                }
            }
        }
        assertEquals(Set.of("Broker", "ClusterServingRuntime", "Deployment", "EndpointPickerConfig",
                "InferenceService", "KafkaSink", "KafkaSource", "ScaledObject", "Service", "Trigger"), kinds);
    }

    /** A Trigger that delivers to the Quiver Service must address its CloudEvents route. */
    private static void checkTrigger(io.fabric8.knative.eventing.v1.Trigger trigger) {
        var subscriber = trigger.getSpec().getSubscriber();
        if (subscriber.getRef() != null && subscriber.getRef().getKind().equals("Service")) {
            assertEquals("/events", subscriber.getUri(), trigger.getMetadata().getName());
            given().contentType("application/cloudevents+json").body("{}").post(subscriber.getUri()).then()
                    .statusCode(400);
        }
    }

    @Test
    void everyEnvNameIsAQuiverConfigKey() throws IOException {
        List<Pattern> keys = ConfigMappings.getProperties(ConfigMappings.ConfigClass.configClass(QuiverConfig.class,
                "quiver")).keySet().stream().map(DeploymentManifestsTest::envPattern).toList();
        assertTrue(keys.size() > 10, "config keys: " + keys);
        Set<String> names = new TreeSet<>();
        for (Path file : files("")) {
            Matcher m = ENV_NAME.matcher(Files.readString(file));
            while (m.find()) {
                names.add(m.group());
            }
        }
        assertTrue(names.contains("QUIVER_CONCURRENCY_MAX"), "names: " + names);
        for (String name : names) {
            assertTrue(keys.stream().anyMatch(k -> k.matcher(name).matches()),
                    name + " (in deployment/) is no quiver.* key of QuiverConfig");
        }
    }

    @Test
    void everyMetricTheDashboardsAndScalersUseIsExported() throws IOException {
        given().contentType(ContentType.JSON).body("{\"input\":\"deployment check\"}").post("/v1/embeddings")
                .then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"model\":\"no-such-model\",\"input\":\"x\"}")
                .post("/v1/embeddings").then().statusCode(404);
        // Registered on the first rejection: take that code path once, under a model name of its own.
        metrics.rejected("deployment-check", "queue_full");
        Map<String, Set<String>> exported = scrape(given().get("/q/metrics").then().statusCode(200).extract()
                .asString());
        assertEquals(exported.keySet(), scrape(given().get("/metrics").then().statusCode(200).extract().asString())
                .keySet(), "/metrics and /q/metrics differ");

        List<String> expressions = new ArrayList<>();
        JsonNode dashboard = JSON.readTree(DEPLOYMENT.resolve("grafana/quiver-dashboard.json").toFile());
        dashboard.findValues("expr").forEach(e -> expressions.add(e.asText()));
        dashboard.findValues("definition").forEach(e -> expressions.add(e.asText()));
        assertTrue(expressions.size() >= 10, "dashboard expressions: " + expressions);
        for (Path file : files(".yaml")) {
            for (JsonNode doc : YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile()).readAll()) {
                doc.findValues("query").forEach(q -> expressions.add(q.asText()));
                PICKER_SPECS.forEach(spec -> doc.findValues(spec).forEach(q -> expressions.add(q.asText())));
                JsonNode metric = doc.at("/spec/template/metadata/annotations/autoscaling.knative.dev~1metric");
                if (metric.asText().startsWith("quiver_")) {
                    expressions.add(metric.asText());
                }
            }
        }
        // Labelled from K_SERVICE / K_CONFIGURATION, which Knative sets (and keda/deployment.yaml sets K_SERVICE);
        // this test instance runs outside Knative, without them.
        Set<String> knativeLabels = Set.of("service", "configuration");
        assertTrue(Files.readString(DEPLOYMENT.resolve("keda/deployment.yaml")).contains("name: K_SERVICE"));
        Pattern selector = Pattern.compile("(quiver_[a-z0-9_]+)\\{([^}]*)}");
        Pattern label = Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)");
        Pattern by = Pattern.compile("\\bby \\(([^)]*)\\)");
        for (String expr : expressions) {
            Matcher names = METRIC.matcher(expr);
            List<String> used = new ArrayList<>();
            while (names.find()) {
                used.add(names.group());
                assertTrue(exported.containsKey(names.group()), names.group() + " (in " + expr + ") is not on /q/metrics: "
                        + exported.keySet());
            }
            assertFalse(used.isEmpty(), "no quiver_ metric in " + expr);
            Matcher s = selector.matcher(expr);
            while (s.find()) {
                Matcher l = label.matcher(s.group(2));
                while (l.find()) {
                    assertTrue(exported.get(s.group(1)).contains(l.group(1)) || knativeLabels.contains(l.group(1)),
                            s.group(1) + " has no label " + l.group(1) + " (in " + expr + ")");
                }
            }
            Matcher b = by.matcher(expr);
            while (b.find()) {
                for (String l : b.group(1).split(",")) {
                    assertTrue(used.stream().anyMatch(n -> exported.get(n).contains(l.strip())),
                            "no metric of " + expr + " has the label " + l.strip());
                }
            }
        }
    }

    static void checkKnative(io.fabric8.knative.serving.v1.Service ksvc) {
        String name = ksvc.getMetadata().getName();
        Map<String, String> annotations = ksvc.getSpec().getTemplate().getMetadata().getAnnotations();
        RevisionSpec spec = ksvc.getSpec().getTemplate().getSpec();
        Container container = only(spec.getContainers(), name);
        QuiverConfig config = quiverConfig(container.getEnv());
        long cap = spec.getContainerConcurrency();
        assertEquals(cap, config.concurrency().max(), name + ": containerConcurrency != QUIVER_CONCURRENCY_MAX");
        String kpa = "kpa.autoscaling.knative.dev";
        String autoscaling = "autoscaling.knative.dev/";
        String scaler = annotations.get(autoscaling + "class");
        assertNotNull(scaler, name + ": autoscaling class");
        double target = Double.parseDouble(annotations.get(autoscaling + "target"));
        assertTrue(target > 0 && target <= cap, name + ": target " + target + " outside (0, " + cap + "]");
        int max = Integer.parseInt(annotations.get(autoscaling + "max-scale"));
        assertTrue(Integer.parseInt(annotations.get(autoscaling + "min-scale")) <= max, name);
        if (scaler.equals(kpa)) {
            assertEquals("concurrency", annotations.get(autoscaling + "metric"), name);
            for (String key : List.of("target-utilization-percentage", "initial-scale", "scale-down-delay",
                    "scale-to-zero-pod-retention-period")) {
                assertNotNull(annotations.get(autoscaling + key), name + ": " + autoscaling + key);
            }
            int utilization = Integer.parseInt(annotations.get(autoscaling + "target-utilization-percentage"));
            assertTrue(utilization > 0 && utilization <= 100, name);
            DurationConverter durations = new DurationConverter();
            durations.convert(annotations.get(autoscaling + "scale-down-delay"));
            durations.convert(annotations.get(autoscaling + "scale-to-zero-pod-retention-period"));
        } else {
            assertEquals("hpa.autoscaling.knative.dev", scaler, name);
            assertTrue(annotations.get(autoscaling + "metric").startsWith("quiver_"), name + ": HPA metric");
        }
        // Knative gives the pod timeoutSeconds as its termination grace: the drain must fit inside it.
        long timeout = spec.getTimeoutSeconds();
        assertTrue(config.shutdown().grace().toSeconds() < timeout,
                name + ": QUIVER_SHUTDOWN_GRACE " + config.shutdown().grace() + " >= timeoutSeconds " + timeout);
        assertNotNull(spec.getResponseStartTimeoutSeconds(), name + ": responseStartTimeoutSeconds");
        assertTrue(spec.getResponseStartTimeoutSeconds() <= timeout, name);
        assertTrue(config.concurrency().queueTimeout().toSeconds() < spec.getResponseStartTimeoutSeconds(),
                name + ": a queued request must get its slot before Knative gives up on the first byte");
        Duration deadline = annotations.containsKey("serving.knative.dev/progress-deadline")
                ? new DurationConverter().convert(annotations.get("serving.knative.dev/progress-deadline"))
                : KNATIVE_DEFAULT_PROGRESS_DEADLINE;
        checkProbes(name, container, deadline);
        assertNull(spec.getTerminationGracePeriodSeconds(), name + ": Knative sets it from timeoutSeconds");
        if (ksvc.getSpec().getTraffic() != null && !ksvc.getSpec().getTraffic().isEmpty()) {
            long total = ksvc.getSpec().getTraffic().stream().mapToLong(t -> t.getPercent()).sum();
            assertEquals(100, total, name + ": traffic percentages");
            assertTrue(ksvc.getSpec().getTraffic().stream().allMatch(t -> t.getTag() != null), name + ": tags");
        }
    }

    static void checkDeployment(Deployment deployment) {
        String name = deployment.getMetadata().getName();
        var pod = deployment.getSpec().getTemplate().getSpec();
        Container container = only(pod.getContainers(), name);
        QuiverConfig config = quiverConfig(container.getEnv());
        assertTrue(config.shutdown().grace().toSeconds() < pod.getTerminationGracePeriodSeconds(),
                name + ": QUIVER_SHUTDOWN_GRACE must be shorter than terminationGracePeriodSeconds");
        checkProbes(name, container, KNATIVE_DEFAULT_PROGRESS_DEADLINE);
    }

    private static void checkProbes(String name, Container container, Duration deadline) {
        int port = container.getPorts().getFirst().getContainerPort();
        assertEquals(8080, port, name + ": Quiver listens on 8080 (or $PORT)");
        Map<String, Probe> probes = new LinkedHashMap<>();
        if (container.getStartupProbe() != null) {
            probes.put("startup", container.getStartupProbe());
        }
        probes.put("readiness", container.getReadinessProbe());
        probes.put("liveness", container.getLivenessProbe());
        probes.forEach((kind, probe) -> {
            assertNotNull(probe, name + ": " + kind + " probe");
            String path = probe.getHttpGet().getPath();
            assertEquals(port, probe.getHttpGet().getPort().getIntVal(), name + ": " + kind + " probe port");
            given().get(path).then().statusCode(200);
            assertTrue(path.startsWith("/q/health/"), name + ": " + kind + " probe on " + path);
        });
        Probe startup = container.getStartupProbe();
        if (startup == null) {
            // Chosen per manifest (DeploymentConsistencyTest): without one, the progress deadline bounds the start.
            return;
        }
        long budget = value(startup.getInitialDelaySeconds()) + (long) value(startup.getPeriodSeconds(), 10)
                * value(startup.getFailureThreshold(), 3);
        assertTrue(budget <= deadline.toSeconds(), name + ": the startup probe may take " + budget
                + " s, past the progress deadline of " + deadline.toSeconds() + " s");
        assertTrue(budget >= 60, name + ": a startup budget of " + budget + " s leaves no room for a cold node");
    }

    /** The manifest's env, read through QuiverConfig's own mapping the way the process would read it. */
    static QuiverConfig quiverConfig(List<EnvVar> env) {
        Map<String, String> vars = new HashMap<>();
        env.forEach(e -> vars.put(e.getName(), e.getValue()));
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new EnvConfigSource(vars, 300), new SysPropConfigSource(),
                        // As the application reads model names of several words (ModelEnvSource).
                        new io.smallrye.config.PropertiesConfigSource(Settings.fromEnvironment(vars), "env models", 300))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withMapping(QuiverConfig.class).build();
        QuiverConfig quiver = config.getConfigMapping(QuiverConfig.class);
        vars.keySet().stream().filter(k -> k.startsWith("QUIVER_MODELS_") && k.endsWith("_PATH")).forEach(k ->
                assertTrue(quiver.models().values().stream().anyMatch(m -> m.path().equals(vars.get(k))),
                        k + " did not become a quiver.models.<name>.path"));
        return quiver;
    }

    /** Metric family → label names, from Prometheus text. */
    private static Map<String, Set<String>> scrape(String text) {
        Map<String, Set<String>> out = new HashMap<>();
        Pattern line = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? ");
        Pattern label = Pattern.compile("(\\w+)=\"");
        for (String l : text.split("\n")) {
            Matcher m = line.matcher(l);
            if (!l.startsWith("#") && m.find()) {
                Set<String> labels = out.computeIfAbsent(m.group(1), k -> new TreeSet<>());
                if (m.group(2) != null) {
                    Matcher lm = label.matcher(m.group(2));
                    while (lm.find()) {
                        labels.add(lm.group(1));
                    }
                }
            }
        }
        return out;
    }

    /** quiver.models.*.max-batch → ^QUIVER_MODELS_[A-Z0-9_]+_MAX_BATCH$ (the env form SmallRye reads). */
    static Pattern envPattern(String property) {
        StringBuilder regex = new StringBuilder("^");
        String[] segments = property.split("\\.");
        for (int i = 0; i < segments.length; i++) {
            regex.append(i == 0 ? "" : "_").append(segments[i].equals("*") ? "[A-Z0-9_]+"
                    : Pattern.quote(segments[i].replaceAll("[^A-Za-z0-9]", "_").toUpperCase()));
        }
        return Pattern.compile(regex.append("$").toString());
    }

    private static <T> T only(List<T> items, String name) {
        assertEquals(1, items.size(), name + ": one container");
        return items.getFirst();
    }

    private static void assertNull(Object o, String message) {
        org.junit.jupiter.api.Assertions.assertNull(o, message);
    }

    private static int value(Integer i) {
        return value(i, 0);
    }

    private static int value(Integer i, int fallback) {
        return i == null ? fallback : i;
    }

    /** The files under deployment/, except the Helm chart's (templates, not manifests: HelmChartTest renders them). */
    static List<Path> files(String suffix) throws IOException {
        try (Stream<Path> walk = Files.walk(DEPLOYMENT)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(suffix))
                    .filter(p -> !p.startsWith(DEPLOYMENT.resolve("helm"))).sorted().toList();
        }
    }

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deployment/knative"))) {
                return dir.resolve("deployment");
            }
        }
        throw new AssertionError("no deployment/ folder above " + Path.of("").toAbsolutePath());
    }
}
