package io.quiver.runtime.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Probe;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quiver.runtime.config.Settings;
import io.quiver.runtime.deployment.KServeModels.ClusterServingRuntime;
import io.quiver.runtime.deployment.KServeModels.InferenceService;
import io.quiver.runtime.deployment.KServeModels.PredictorSpec;
import io.quiver.runtime.deployment.KServeModels.SupportedModelFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deployment/kserve/ against the rest of deployment/ and Quiver's settings: strict parsing (no field KServe's types
 * lack), the image, port, probes and metrics path of the Knative manifests (which DeploymentManifestsTest checks
 * against the running application), env names and values that Quiver's Settings accept, the storage-initializer's
 * /mnt/models as the model path, and the cap equal on both sides.
 */
class KServeManifestsTest {
    static final Path DEPLOYMENT = locate();
    static final String MOUNT = "/mnt/models";
    /** A modelFormat name → the Quiver model kinds it may serve. */
    static final Map<String, Set<String>> FORMATS = Map.of("onnx-chat", Set.of("chat"),
            "onnx-encoder", Set.of("embedding", "classifier", "reranker"), "onnx-diffusion", Set.of("diffusion"));

    final List<ClusterServingRuntime> runtimes = new ArrayList<>();
    final List<InferenceService> services = new ArrayList<>();

    KServeManifestsTest() throws IOException {
        try (Stream<Path> files = Files.list(DEPLOYMENT.resolve("kserve"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode doc : StrictManifests.YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())
                        .readAll()) {
                    switch (StrictManifests.parse(file, doc)) {
                        case ClusterServingRuntime r -> runtimes.add(r);
                        case InferenceService s -> services.add(s);
                        case Object other -> throw new AssertionError(file + ": unexpected " + other.getClass());
                    }
                }
            }
        }
    }

    @Test
    void runtimesServeTheFormatsWithTheKnativeManifestsImageProbesAndMetrics() throws IOException {
        Container cpu = knativeContainer("service-cpu.yaml");
        Container gpu = knativeContainer("service-gpu.yaml");
        JsonNode cpuAnnotations = knative("service-cpu.yaml").at("/spec/template/metadata/annotations");
        assertEquals(Set.of("quiver", "quiver-cuda"), runtimes.stream().map(r -> r.metadata().getName())
                .collect(Collectors.toSet()));
        for (ClusterServingRuntime runtime : runtimes) {
            String name = runtime.metadata().getName();
            Container c = only(runtime.spec().containers(), name);
            assertEquals("kserve-container", c.getName(), name + ": KServe merges the model into kserve-container");
            boolean onGpu = c.getResources().getLimits().containsKey("nvidia.com/gpu");
            assertEquals((onGpu ? gpu : cpu).getImage(), c.getImage(), name + ": the image the Knative manifests use");
            int port = c.getPorts().getFirst().getContainerPort();
            assertEquals(cpu.getPorts().getFirst().getContainerPort(), port, name + ": port");
            assertEquals("http1", c.getPorts().getFirst().getName(), name + ": Knative needs http1 or h2c");
            Container twin = onGpu ? gpu : cpu;
            assertProbe(name + " startup", twin.getStartupProbe(), c.getStartupProbe(), port);
            assertProbe(name + " readiness", twin.getReadinessProbe(), c.getReadinessProbe(), port);
            assertProbe(name + " liveness", twin.getLivenessProbe(), c.getLivenessProbe(), port);
            assertEquals(null, c.getReadinessProbe().getPeriodSeconds(), name + ": aggressive readiness probing");

            Map<String, String> annotations = runtime.spec().annotations();
            assertEquals(Integer.toString(port), annotations.get("prometheus.kserve.io/port"), name);
            assertEquals(cpuAnnotations.path("prometheus.io/path").asText(),
                    annotations.get("prometheus.kserve.io/path"), name + ": the metrics path of the Knative manifests");
            assertTrue(runtime.spec().protocolVersions() == null, name + ": Quiver speaks the OpenAI API only");
            for (SupportedModelFormat format : runtime.spec().supportedModelFormats()) {
                assertTrue(FORMATS.containsKey(format.name()), name + ": unknown format " + format.name());
                assertNotNull(format.version(), name + ": " + format.name() + " version");
            }
            checkSettings(name, env(c.getEnv()));
        }
        ClusterServingRuntime cpuRuntime = runtime("quiver");
        assertEquals(FORMATS.keySet(), cpuRuntime.spec().supportedModelFormats().stream()
                .map(SupportedModelFormat::name).collect(Collectors.toSet()), "the CPU runtime serves every kind");
        assertTrue(cpuRuntime.spec().supportedModelFormats().stream()
                .allMatch(f -> Boolean.TRUE.equals(f.autoSelect())), "the CPU runtime is picked by format alone");
    }

    @Test
    void inferenceServicesPointQuiverAtTheStorageInitializersFolder() throws IOException {
        assertEquals(FORMATS.keySet(), services.stream().map(s -> s.spec().predictor().model().modelFormat().name())
                .collect(Collectors.toSet()), "one InferenceService per kind");
        Set<String> knativeNames = knativeEnvNames();
        for (InferenceService service : services) {
            String name = service.metadata().getName();
            PredictorSpec predictor = service.spec().predictor();
            String format = predictor.model().modelFormat().name();
            ClusterServingRuntime runtime = runtime(predictor.model().runtime());
            assertTrue(runtime.spec().supportedModelFormats().stream().anyMatch(f -> f.name().equals(format)),
                    name + ": runtime " + runtime.metadata().getName() + " does not serve " + format);
            Map<String, String> annotations = service.metadata().getAnnotations();
            assertEquals("true", annotations.get("serving.kserve.io/enable-prometheus-scraping"), name);
            assertEquals("Serverless", annotations.get("serving.kserve.io/deploymentMode"), name);
            // KServe passes the InferenceService's annotations to the revision it makes, as the Knative manifests set it.
            assertEquals("Enabled", annotations.get("features.knative.dev/http-full-duplex"),
                    name + ": full duplex behind queue-proxy, as the Knative manifests set it");
            assertTrue(predictor.model().storageUri().matches("(s3|gs|pvc|https?|hf|oci)://.+"), name + ": storageUri");

            // KServe merges the model's env over the runtime container's, by name.
            Map<String, String> env = env(only(runtime.spec().containers(), name).getEnv());
            env.putAll(env(predictor.model().env()));
            Map<String, String> settings = checkSettings(name, env);
            List<String> paths = settings.keySet().stream().filter(k -> k.matches("quiver\\.models\\.[^.]+\\.path"))
                    .toList();
            assertEquals(1, paths.size(), name + ": one model per InferenceService: " + paths);
            assertEquals(MOUNT, settings.get(paths.getFirst()), name + ": the storage-initializer's folder");
            String model = paths.getFirst().substring("quiver.models.".length(), paths.getFirst().length() - 5);
            String kind = settings.get("quiver.models." + model + ".kind");
            assertTrue(FORMATS.get(format).contains(kind), name + ": kind " + kind + " for " + format);

            long cap = predictor.containerConcurrency();
            assertEquals(Long.toString(cap), env.get("QUIVER_CONCURRENCY_MAX"),
                    name + ": containerConcurrency != QUIVER_CONCURRENCY_MAX");
            assertEquals("concurrency", predictor.scaleMetric(), name);
            assertTrue(predictor.scaleTarget() > 0 && predictor.scaleTarget() <= cap, name + ": scaleTarget");
            assertTrue(predictor.minReplicas() <= predictor.maxReplicas(), name);
            DurationConverter durations = new DurationConverter();
            Duration grace = durations.convert(env.get("QUIVER_SHUTDOWN_GRACE"));
            assertTrue(QueueProxyDrainBudgetTest.fits(grace, predictor.timeout()), name + ": QUIVER_SHUTDOWN_GRACE "
                    + grace + " does not fit the pod's grace (the timeout) after queue-proxy's drain");
            assertTrue(durations.convert(env.get("QUIVER_CONCURRENCY_QUEUE_TIMEOUT")).toSeconds() < predictor.timeout(),
                    name);
            // The names the Knative manifests use, where they set the same thing.
            for (String envName : env.keySet()) {
                boolean modelKey = envName.startsWith("QUIVER_MODELS_");
                boolean chatKey = envName.startsWith("QUIVER_MODELS_CHAT_");
                if (!modelKey || chatKey) {
                    assertTrue(knativeNames.contains(envName), name + ": " + envName + " is in no Knative manifest");
                }
            }
        }
    }

    /** Every QUIVER_ name must be a setting Quiver accepts, with a value it accepts; returns them by key. */
    private static Map<String, String> checkSettings(String name, Map<String, String> env) {
        try {
            Map<String, String> keys = Settings.fromEnvironment(env);
            keys.forEach(Settings::check);
            return keys;
        } catch (IllegalArgumentException e) {
            throw new AssertionError(name + ": " + e.getMessage(), e);
        }
    }

    /** The probe the Knative manifest of the same device has (a startup probe on the GPU only), or none. */
    private static void assertProbe(String what, Probe expected, Probe actual, int port) {
        if (expected == null) {
            assertEquals(null, actual, what + " probe: the Knative manifest of this device has none");
            return;
        }
        assertNotNull(actual, what + " probe");
        assertEquals(expected.getHttpGet().getPath(), actual.getHttpGet().getPath(), what + " path");
        assertEquals(port, actual.getHttpGet().getPort().getIntVal(), what + " port");
    }

    private ClusterServingRuntime runtime(String name) {
        return runtimes.stream().filter(r -> r.metadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no ClusterServingRuntime " + name));
    }

    private static Map<String, String> env(List<EnvVar> vars) {
        Map<String, String> out = new LinkedHashMap<>();
        if (vars != null) {
            vars.forEach(v -> out.put(v.getName(), v.getValue()));
        }
        return out;
    }

    private static JsonNode knative(String file) throws IOException {
        return StrictManifests.YAML.readTree(DEPLOYMENT.resolve("knative").resolve(file).toFile());
    }

    private static Container knativeContainer(String file) throws IOException {
        Path path = DEPLOYMENT.resolve("knative").resolve(file);
        var ksvc = (io.fabric8.knative.serving.v1.Service) StrictManifests.parse(path, knative(file));
        return only(ksvc.getSpec().getTemplate().getSpec().getContainers(), file);
    }

    private static Set<String> knativeEnvNames() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(DEPLOYMENT.resolve("knative"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                for (JsonNode doc : StrictManifests.YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())
                        .readAll()) {
                    doc.findValues("env").forEach(list -> list.forEach(e -> names.add(e.path("name").asText())));
                }
            }
        }
        return names;
    }

    private static <T> T only(List<T> items, String name) {
        assertEquals(1, items.size(), name + ": one container");
        return items.getFirst();
    }

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deployment/kserve"))) {
                return dir.resolve("deployment");
            }
        }
        throw new AssertionError("no deployment/kserve folder above " + Path.of("").toAbsolutePath());
    }
}
