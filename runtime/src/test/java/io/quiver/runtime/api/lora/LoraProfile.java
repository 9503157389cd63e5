package io.quiver.runtime.api.lora;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quiver.models.Fixtures;
import java.util.Map;

/** The LoRA fixture served beside the default models with adapter alpha loaded at start, behind an API key. */
public class LoraProfile implements QuarkusTestProfile {
    static final String FIXTURE = "tiny-random-deepseek-r1-lora";
    static final String MODEL = "lora";
    static final String KEY = "lora-routes-key";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quiver.models." + MODEL + ".path", Fixtures.testModel(FIXTURE).toAbsolutePath().toString(),
                "quiver.models." + MODEL + ".adapters", "alpha=adapters/alpha.onnx_adapter",
                "quiver.api-key", KEY);
    }
}
