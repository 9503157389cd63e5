package io.quiver.runtime.deployment;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;

/**
 * KServe has no fabric8 model: the fields of serving.kserve.io ClusterServingRuntime (v1alpha1) and
 * InferenceService (v1beta1) that this repository may use, named as KServe's Go types name them, and no others.
 * Containers, env and resources are fabric8's own, so they are checked field by field like the Knative manifests.
 */
final class KServeModels {
    private KServeModels() {
    }

    record ClusterServingRuntime(String apiVersion, String kind, ObjectMeta metadata, ServingRuntimeSpec spec) {
    }

    record ServingRuntimeSpec(List<SupportedModelFormat> supportedModelFormats, List<String> protocolVersions,
                              Boolean multiModel, Boolean disabled, Map<String, String> annotations,
                              Map<String, String> labels, Map<String, String> nodeSelector,
                              List<Toleration> tolerations, List<Volume> volumes, List<Container> containers) {
    }

    record SupportedModelFormat(String name, String version, Boolean autoSelect, Integer priority) {
    }

    record InferenceService(String apiVersion, String kind, ObjectMeta metadata, InferenceServiceSpec spec) {
    }

    record InferenceServiceSpec(PredictorSpec predictor) {
    }

    /** PredictorSpec: the model, KServe's ComponentExtensionSpec (scaling, cap, timeout) and pod placement. */
    record PredictorSpec(ModelSpec model, Integer minReplicas, Integer maxReplicas, String scaleMetric,
                         Integer scaleTarget, Long containerConcurrency, Long timeout, Long canaryTrafficPercent,
                         Map<String, String> nodeSelector, List<Toleration> tolerations) {
    }

    /** ModelSpec: which format and runtime, where the model comes from, and the container fields merged in. */
    record ModelSpec(ModelFormat modelFormat, String runtime, String protocolVersion, String storageUri,
                     List<EnvVar> env, ResourceRequirements resources, List<String> args) {
    }

    record ModelFormat(String name, String version) {
    }
}
