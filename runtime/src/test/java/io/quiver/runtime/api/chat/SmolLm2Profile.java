package io.quiver.runtime.api.chat;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.quiver.models.RealModels;
import java.util.Map;

/**
 * The real SmolLM2-135M-Instruct folder served twice, as its own template and stop tokens configure it: the fp32
 * graph and the 4-bit one. Fails the test, with the command that prepares it, when the folder is not there.
 */
public class SmolLm2Profile implements QuarkusTestProfile {
    static final String FP32 = "smollm2";
    static final String Q4 = "smollm2-q4";

    @Override
    public Map<String, String> getConfigOverrides() {
        String folder = RealModels.smollm2().toString();
        return Map.of(
                "quiver.models." + FP32 + ".path", folder,
                "quiver.models." + FP32 + ".context-length", "2048",
                "quiver.models." + Q4 + ".path", folder,
                "quiver.models." + Q4 + ".onnx-file", "model_q4.onnx",
                "quiver.models." + Q4 + ".context-length", "2048");
    }
}
