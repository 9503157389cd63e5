package io.quiver.runtime.deployment;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Reads a manifest document into its fabric8 (or local) model class, failing on any field the model lacks. */
final class StrictManifests {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private StrictManifests() {
    }

    static Object parse(Path file, JsonNode doc) {
        String type = doc.path("apiVersion").asText() + " " + doc.path("kind").asText();
        Class<?> model = switch (type) {
            case "serving.knative.dev/v1 Service" -> io.fabric8.knative.serving.v1.Service.class;
            case "apps/v1 Deployment" -> Deployment.class;
            case "v1 Service" -> io.fabric8.kubernetes.api.model.Service.class;
            case "keda.sh/v1alpha1 ScaledObject" -> DeploymentManifestsTest.ScaledObject.class;
            case "eventing.knative.dev/v1 Broker" -> io.fabric8.knative.eventing.v1.Broker.class;
            case "eventing.knative.dev/v1 Trigger" -> io.fabric8.knative.eventing.v1.Trigger.class;
            case "eventing.knative.dev/v1alpha1 KafkaSink" -> io.fabric8.knative.eventing.v1alpha1.KafkaSink.class;
            case "sources.knative.dev/v1beta1 KafkaSource" -> io.fabric8.knative.sources.v1beta1.KafkaSource.class;
            case "serving.kserve.io/v1alpha1 ClusterServingRuntime" -> KServeModels.ClusterServingRuntime.class;
            case "serving.kserve.io/v1beta1 InferenceService" -> KServeModels.InferenceService.class;
            case "inference.networking.x-k8s.io/v1alpha1 EndpointPickerConfig" ->
                    DeploymentManifestsTest.EndpointPickerConfig.class;
            default -> throw new AssertionError(file + ": no model for " + type);
        };
        try {
            Object parsed = YAML.treeToValue(doc, model);
            List<String> unknown = new ArrayList<>();
            unknownFields(parsed, type, unknown);
            if (!unknown.isEmpty()) {
                fail(file + ": unknown fields " + unknown);
            }
            if (parsed instanceof HasMetadata r) {
                assertNotNull(r.getMetadata().getName(), file + ": metadata.name");
            }
            if (parsed instanceof KServeModels.ClusterServingRuntime r) {
                assertNotNull(r.metadata().getName(), file + ": metadata.name");
            }
            if (parsed instanceof KServeModels.InferenceService r) {
                assertNotNull(r.metadata().getName(), file + ": metadata.name");
            }
            return parsed;
        } catch (IOException e) {
            throw new AssertionError(file + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #parse}, into a model class of the caller's, for kinds fabric8 has no model for. */
    static <T> T parseAs(String where, JsonNode doc, Class<T> model) {
        try {
            T parsed = YAML.treeToValue(doc, model);
            List<String> unknown = new ArrayList<>();
            unknownFields(parsed, model.getSimpleName(), unknown);
            if (!unknown.isEmpty()) {
                fail(where + ": unknown fields " + unknown);
            }
            return parsed;
        } catch (IOException e) {
            throw new AssertionError(where + ": " + e.getMessage(), e);
        }
    }

    /** fabric8 models keep fields they do not know in additionalProperties instead of failing: look there. */
    private static void unknownFields(Object o, String path, List<String> out) {
        if (o == null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(v, path + "." + k, out));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.") && !o.getClass().isRecord()) {
            return;
        }
        for (Method getter : o.getClass().getMethods()) {
            boolean bean = getter.getName().startsWith("get") || o.getClass().isRecord();
            if (getter.getParameterCount() != 0 || !bean || getter.getDeclaringClass() == Object.class
                    || getter.getDeclaringClass() == Record.class || getter.getName().equals("getClass")
                    || getter.getName().equals("hashCode") || getter.getName().equals("toString")) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(o);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(value, path + "." + getter.getName(), out);
            }
        }
    }
}
