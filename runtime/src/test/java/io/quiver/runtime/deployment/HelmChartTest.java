package io.quiver.runtime.deployment;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.quiver.runtime.config.QuiverConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * deployment/helm/quiver rendered by the real Helm (built from the Go module proxy by
 * deployment/helm/build-helm.sh, once, into .cache/tools/) for its default values and every value set in its ci/
 * folder; each rendered manifest is parsed and checked as strictly as the files in deployment/knative and keda.
 */
@QuarkusTest
class HelmChartTest {
    private static final Path CHART = DeploymentManifestsTest.DEPLOYMENT.resolve("helm/quiver");

    /** KServe has no fabric8 model here: the fields the chart renders, and no others. */
    record ClusterServingRuntime(String apiVersion, String kind, ObjectMeta metadata, RuntimeSpec spec) {
    }

    record RuntimeSpec(List<ModelFormat> supportedModelFormats, Map<String, String> annotations,
                       List<Container> containers) {
    }

    record ModelFormat(String name, Boolean autoSelect) {
    }

    record InferenceService(String apiVersion, String kind, ObjectMeta metadata, IsvcSpec spec) {
    }

    record IsvcSpec(Predictor predictor) {
    }

    record Predictor(Integer minReplicas, Integer maxReplicas, Integer containerConcurrency, Integer timeout,
                     IsvcModel model) {
    }

    record IsvcModel(String runtime, ModelFormat modelFormat, String storageUri) {
    }

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES) // the first run builds helm from source (minutes); then seconds
    void everyValueSetRendersStrictManifestsThatFitTheApplication() throws Exception {
        Path helm = buildHelm();
        DeploymentConsistencyTest.BuildImage image = DeploymentConsistencyTest.buildImage();
        List<Path> valueSets = new ArrayList<>();
        valueSets.add(null);
        try (Stream<Path> ci = Files.list(CHART.resolve("ci"))) {
            ci.filter(p -> p.toString().endsWith("-values.yaml")).sorted().forEach(valueSets::add);
        }
        assertTrue(valueSets.size() >= 5, "value sets: " + valueSets);
        Set<String> kindsSeen = new TreeSet<>();
        for (Path values : valueSets) {
            String where = "helm template " + (values == null ? "(defaults)" : CHART.relativize(values));
            String rendered = render(helm, values);
            List<JsonNode> docs = StrictManifests.YAML.readerFor(JsonNode.class).<JsonNode>readValues(rendered)
                    .readAll().stream().filter(d -> !d.isNull() && !d.isEmpty()).toList();
            assertTrue(!docs.isEmpty(), where + " rendered nothing");
            InferenceService isvc = null;
            ClusterServingRuntime runtime = null;
            for (JsonNode doc : docs) {
                String type = doc.path("kind").asText();
                kindsSeen.add(type);
                switch (type) {
                    case "ClusterServingRuntime" -> runtime = StrictManifests.parseAs(where, doc,
                            ClusterServingRuntime.class);
                    case "InferenceService" -> isvc = StrictManifests.parseAs(where, doc, InferenceService.class);
                    default -> check(where, image, StrictManifests.parse(Path.of(where), doc));
                }
            }
            if (runtime != null || isvc != null) {
                checkKServe(where, image, runtime, isvc);
            }
        }
        assertEquals(Set.of("ClusterServingRuntime", "Deployment", "InferenceService", "ScaledObject", "Service"),
                kindsSeen);
    }

    private static void check(String where, DeploymentConsistencyTest.BuildImage image, Object resource) {
        switch (resource) {
            case io.fabric8.knative.serving.v1.Service ksvc -> {
                DeploymentManifestsTest.checkKnative(ksvc);
                DeploymentConsistencyTest.checkImage(image, where, ksvc.getSpec().getTemplate().getSpec()
                        .getContainers().getFirst());
                if (ksvc.getSpec().getTraffic() != null && !ksvc.getSpec().getTraffic().isEmpty()) {
                    String own = ksvc.getSpec().getTemplate().getMetadata().getName();
                    assertTrue(ksvc.getSpec().getTraffic().stream().anyMatch(t -> own.equals(t.getRevisionName())),
                            where + ": the canary routes to the revision it creates");
                }
            }
            case Deployment deployment -> {
                DeploymentManifestsTest.checkDeployment(deployment);
                DeploymentConsistencyTest.checkImage(image, where, deployment.getSpec().getTemplate().getSpec()
                        .getContainers().getFirst());
            }
            case DeploymentManifestsTest.ScaledObject scaled -> assertTrue(scaled.spec().triggers().getFirst()
                    .metadata().get("query").contains("quiver_concurrency_average"), where);
            default -> {
            }
        }
    }

    private static void checkKServe(String where, DeploymentConsistencyTest.BuildImage image,
                                    ClusterServingRuntime runtime, InferenceService isvc) {
        assertTrue(runtime != null && isvc != null, where + ": the runtime and an InferenceService on it");
        assertEquals(runtime.metadata().getName(), isvc.spec().predictor().model().runtime(), where);
        assertEquals(runtime.spec().supportedModelFormats().getFirst().name(),
                isvc.spec().predictor().model().modelFormat().name(), where);
        Container c = runtime.spec().containers().getFirst();
        assertEquals("kserve-container", c.getName(), where + ": the container KServe wires the model into");
        DeploymentConsistencyTest.checkImage(image, where, c);
        QuiverConfig config = DeploymentManifestsTest.quiverConfig(c.getEnv());
        assertEquals(isvc.spec().predictor().containerConcurrency(), config.concurrency().max(),
                where + ": containerConcurrency != QUIVER_CONCURRENCY_MAX");
        assertTrue(config.models().values().stream().anyMatch(m -> m.path().equals("/mnt/models")),
                where + ": the model from KServe's storage initializer");
        assertTrue(config.shutdown().grace().toSeconds() < isvc.spec().predictor().timeout(), where);
        for (var probe : List.of(c.getReadinessProbe(), c.getLivenessProbe())) {
            assertTrue(probe.getHttpGet().getPath().startsWith("/q/health/"), where);
            given().get(probe.getHttpGet().getPath()).then().statusCode(200);
        }
    }

    /** Builds helm once (deployment/helm/build-helm.sh, cached under .cache/tools/) and returns its path. */
    static Path buildHelm() throws IOException, InterruptedException {
        Path script = DeploymentManifestsTest.DEPLOYMENT.resolve("helm/build-helm.sh");
        Process p = new ProcessBuilder(script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), script + " failed: " + out);
        Path helm = Path.of(out.lines().reduce((a, b) -> b).orElse(""));
        assertTrue(Files.isExecutable(helm), script + " printed no helm binary: " + out);
        return helm;
    }

    private static String render(Path helm, Path values) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(helm.toString(), "template", "quiver", CHART.toString()));
        if (values != null) {
            command.addAll(List.of("-f", values.toString()));
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
        return out;
    }
}
