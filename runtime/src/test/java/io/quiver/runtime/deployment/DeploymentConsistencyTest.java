package io.quiver.runtime.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/**
 * What the manifests say to each other and to the build, file by file: one image name and tag scheme (the pom's),
 * canary routes to revisions that the manifests create, Triggers to Services that serve their kind of event, and a
 * startup probe only where the manifest says why and which Knative it needs.
 */
class DeploymentConsistencyTest {
    private static final Path DEPLOYMENT = DeploymentManifestsTest.DEPLOYMENT;
    private static final Path ROOT = DEPLOYMENT.getParent();
    private static final String GPU_VARIANT = "-cuda12";
    /** Any image reference that names Quiver's image, in a manifest, a Dockerfile command or the docs. */
    private static final Pattern IMAGE_REF = Pattern.compile("[\\w.\\-/]*quiver:[0-9][\\w.\\-]*");
    /** The component label of the Service an event type must reach. */
    private static final Map<String, String> COMPONENT_OF_EVENT = Map.of(
            "io.quiver.embedding.request", "embeddings", "io.quiver.chat.completion.request", "chat",
            "io.quiver.classification.request", "classification", "io.quiver.image.generation.request", "images");

    /** The image the build makes: {@code <registry>/<group>/<name>} and the release version, from the poms. */
    record BuildImage(String repository, String version) {
        String cpu() {
            return repository + ":" + version;
        }

        String gpu() {
            return cpu() + GPU_VARIANT;
        }
    }

    static BuildImage buildImage() throws Exception {
        XPath xpath = XPathFactory.newInstance().newXPath();
        Document root = pom(ROOT.resolve("pom.xml"));
        String project = xpath.evaluate("/project/version", root);
        String property = "/project/properties/";
        String version = xpath.evaluate(property + "quiver.image.version", root);
        assertEquals(project.replace("-SNAPSHOT", ""), version, "quiver.image.version is the release of " + project);
        assertEquals("", xpath.evaluate(property + "quiver.image.variant", root));
        assertEquals(GPU_VARIANT, xpath.evaluate("/project/profiles/profile[id='gpu']/properties/quiver.image.variant",
                root), "the gpu profile tags its image " + GPU_VARIANT);
        // The Jib build takes each part from those properties, so the image it pushes is the one manifests name.
        Document runtime = pom(ROOT.resolve("runtime/pom.xml"));
        String jib = "/project/profiles/profile[id='container-image']/properties/quarkus.container-image.";
        assertEquals("${quiver.image.registry}", xpath.evaluate(jib + "registry", runtime));
        assertEquals("${quiver.image.group}", xpath.evaluate(jib + "group", runtime));
        assertEquals("${quiver.image.name}", xpath.evaluate(jib + "name", runtime));
        assertEquals("${quiver.image.version}${quiver.image.variant}", xpath.evaluate(jib + "tag", runtime));
        return new BuildImage(xpath.evaluate(property + "quiver.image.registry", root) + "/"
                + xpath.evaluate(property + "quiver.image.group", root) + "/"
                + xpath.evaluate(property + "quiver.image.name", root), version);
    }

    /** The image a container must name: the GPU variant exactly where it asks for a GPU. */
    static void checkImage(BuildImage image, String where, Container container) {
        Map<String, Quantity> limits = container.getResources() == null || container.getResources().getLimits() == null
                ? Map.of() : container.getResources().getLimits();
        boolean gpu = limits.containsKey("nvidia.com/gpu") || limits.containsKey("aliyun.com/gpu-mem");
        assertEquals(gpu ? image.gpu() : image.cpu(), container.getImage(), where + ": the build's image");
    }

    @Test
    void everyManifestNamesTheImageTheBuildMakes() throws Exception {
        BuildImage image = buildImage();
        assertEquals("ghcr.io/quiver-ai/quiver", image.repository());
        int containers = 0;
        for (Manifest m : manifests()) {
            Container c = switch (m.resource()) {
                case io.fabric8.knative.serving.v1.Service ksvc -> ksvc.getSpec().getTemplate().getSpec()
                        .getContainers().getFirst();
                case Deployment d -> d.getSpec().getTemplate().getSpec().getContainers().getFirst();
                default -> null;
            };
            if (c != null) {
                checkImage(image, m.file().toString(), c);
                containers++;
            }
        }
        assertTrue(containers >= 6, "containers: " + containers);
        // Dockerfile commands, the baked-model example, the chart and the docs: the same name and tags, nothing else.
        List<Path> texts = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        for (Path folder : List.of(DEPLOYMENT, ROOT.resolve("docs"))) {
            try (var walk = Files.walk(folder)) {
                walk.filter(Files::isRegularFile).forEach(texts::add);
            }
        }
        Set<String> seen = new TreeSet<>();
        for (Path file : texts) {
            Matcher m = IMAGE_REF.matcher(Files.readString(file));
            while (m.find()) {
                seen.add(m.group());
                assertTrue(m.group().equals(image.cpu()) || m.group().equals(image.gpu()),
                        file + ": " + m.group() + " is not " + image.cpu() + " or " + image.gpu());
            }
        }
        assertTrue(seen.contains(image.cpu()) && seen.contains(image.gpu()), "found: " + seen);
        JsonNode chart = StrictManifests.YAML.readTree(DEPLOYMENT.resolve("helm/quiver/Chart.yaml").toFile());
        assertEquals(image.version(), chart.path("appVersion").asText(), "the chart's default tag");
        JsonNode values = StrictManifests.YAML.readTree(DEPLOYMENT.resolve("helm/quiver/values.yaml").toFile());
        assertEquals(image.repository(), values.at("/image/repository").asText());
        assertEquals("", values.at("/image/tag").asText(), "empty: the chart derives the tag from appVersion");
    }

    @Test
    void canaryRoutesOnlyToRevisionsTheManifestsCreate() throws IOException {
        Map<String, Set<String>> revisions = new HashMap<>();
        List<io.fabric8.knative.serving.v1.Service> routed = new ArrayList<>();
        for (Manifest m : manifests()) {
            if (m.resource() instanceof io.fabric8.knative.serving.v1.Service ksvc) {
                String revision = ksvc.getSpec().getTemplate().getMetadata().getName();
                if (revision != null) {
                    assertTrue(revision.startsWith(ksvc.getMetadata().getName() + "-"), m.file() + ": Knative "
                            + "requires a revision name prefixed with the Service's");
                    revisions.computeIfAbsent(ksvc.getMetadata().getName(), k -> new TreeSet<>()).add(revision);
                }
                if (ksvc.getSpec().getTraffic() != null && !ksvc.getSpec().getTraffic().isEmpty()) {
                    routed.add(ksvc);
                }
            }
        }
        assertFalse(routed.isEmpty(), "a canary manifest");
        for (var ksvc : routed) {
            String own = ksvc.getSpec().getTemplate().getMetadata().getName();
            assertNotNull(own, ksvc.getMetadata().getName() + ": a canary names the revision it creates");
            for (var target : ksvc.getSpec().getTraffic()) {
                if (target.getRevisionName() != null) {
                    assertTrue(revisions.getOrDefault(ksvc.getMetadata().getName(), Set.of())
                            .contains(target.getRevisionName()), target.getRevisionName() + " is created by no "
                            + "manifest of " + ksvc.getMetadata().getName() + ": " + revisions);
                } else {
                    assertEquals(Boolean.TRUE, target.getLatestRevision(), "a target names a revision or latest");
                }
            }
            assertTrue(ksvc.getSpec().getTraffic().stream().anyMatch(t -> own.equals(t.getRevisionName())
                    && "canary".equals(t.getTag())), "the new revision is the one tagged canary");
        }
    }

    @Test
    void triggersDeliverToAServiceThatServesTheirEvents() throws IOException {
        Map<String, io.fabric8.knative.serving.v1.Service> services = new HashMap<>();
        List<Trigger> triggers = new ArrayList<>();
        for (Manifest m : manifests()) {
            switch (m.resource()) {
                case io.fabric8.knative.serving.v1.Service ksvc -> services.put(ksvc.getMetadata().getName(), ksvc);
                case Trigger t -> triggers.add(t);
                default -> {
                }
            }
        }
        int toQuiver = 0;
        for (Trigger t : triggers) {
            var ref = t.getSpec().getSubscriber().getRef();
            if (!ref.getApiVersion().startsWith("serving.knative.dev/")) {
                continue;
            }
            toQuiver++;
            var service = services.get(ref.getName());
            assertNotNull(service, t.getMetadata().getName() + ": no Knative Service " + ref.getName() + " in "
                    + services.keySet());
            String type = t.getSpec().getFilter().getAttributes().get("type");
            assertEquals(COMPONENT_OF_EVENT.get(type), service.getMetadata().getLabels()
                    .get("app.kubernetes.io/component"), t.getMetadata().getName() + ": " + type + " reaches "
                    + ref.getName());
        }
        assertTrue(toQuiver >= 2, "triggers to Quiver: " + toQuiver);
    }

    @Test
    void aStartupProbeIsThereOnlyWhereTheManifestSaysWhichKnativeItNeeds() throws IOException {
        int with = 0;
        int without = 0;
        for (Manifest m : manifests()) {
            switch (m.resource()) {
                case io.fabric8.knative.serving.v1.Service ksvc -> {
                    Container c = ksvc.getSpec().getTemplate().getSpec().getContainers().getFirst();
                    if (c.getStartupProbe() != null) {
                        with++;
                        assertTrue(Files.readString(m.file()).contains("Knative Serving >= 1.15"), m.file()
                                + ": a startupProbe needs Knative Serving >= 1.15; say so");
                    } else {
                        without++;
                        // Knative's aggressive readiness probing: only without a period (and without startupProbe).
                        assertNull(c.getReadinessProbe().getPeriodSeconds(), m.file() + ": readiness period");
                    }
                }
                case Deployment d -> assertNotNull(d.getSpec().getTemplate().getSpec().getContainers().getFirst()
                        .getStartupProbe(), m.file() + ": outside Knative nothing else keeps liveness off a start");
                default -> {
                }
            }
        }
        assertTrue(with >= 2 && without >= 3, "with " + with + ", without " + without);
    }

    record Manifest(Path file, Object resource) {
    }

    static List<Manifest> manifests() throws IOException {
        List<Manifest> out = new ArrayList<>();
        for (Path file : DeploymentManifestsTest.files(".yaml")) {
            for (JsonNode doc : StrictManifests.YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())
                    .readAll()) {
                out.add(new Manifest(file, StrictManifests.parse(file, doc)));
            }
        }
        return out;
    }

    private static Document pom(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }
}
