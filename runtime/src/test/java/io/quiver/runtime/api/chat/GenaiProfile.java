package io.quiver.runtime.api.chat;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quiver.models.Fixtures;
import java.util.Map;

/**
 * onnxruntime-genai's model builder export (int4, CPU) served beside the default models, by its folder alone; and the
 * builder's export of the same weights with {@code prune_lm_head}, by its graph's file name.
 */
public class GenaiProfile implements QuarkusTestProfile {
    static final String FIXTURE = "tiny-random-deepseek-r1-genai";
    static final String MODEL = "genai";
    static final String PRUNED = "genai-pruned";

    @Override
    public Map<String, String> getConfigOverrides() {
        String folder = Fixtures.testModel(FIXTURE).toAbsolutePath().toString();
        return Map.of("quiver.models." + MODEL + ".path", folder,
                "quiver.models." + PRUNED + ".path", folder,
                "quiver.models." + PRUNED + ".onnx-file", "model_pruned.onnx");
    }
}
