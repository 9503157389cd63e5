package io.quiver.runtime.api.chat;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quiver.models.Fixtures;
import java.util.Map;

/** onnxruntime-genai's model builder export (int4, CPU) served beside the default models, by its folder alone. */
public class GenaiProfile implements QuarkusTestProfile {
    static final String FIXTURE = "tiny-random-deepseek-r1-genai";
    static final String MODEL = "genai";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quiver.models." + MODEL + ".path", Fixtures.testModel(FIXTURE).toAbsolutePath().toString());
    }
}
