package io.quiver.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quiver.bench.load.Route;
import org.junit.jupiter.api.Test;

class PeerTargetsTest {
    @Test
    void theBenchGoalsPerPeerAndLevel() {
        assertEquals(0.9, PeerTargets.of("llama-server Q4_1", Route.CHAT, "output tokens/s", 1, false));
        assertEquals(1.5, PeerTargets.of("llama-server Q4_1", Route.CHAT, "output tokens/s", 8, false));
        assertNull(PeerTargets.of("llama-server Q4_1", Route.CHAT, "output tokens/s", 32, false));
        assertNull(PeerTargets.of("llama-server Q4_1", Route.CHAT, "TTFT p50 ms", 8, false));
        assertNull(PeerTargets.of("llama-server F32", Route.CHAT, "output tokens/s", 8, false));
        assertEquals(1.0, PeerTargets.of("vLLM CPU fp32", Route.CHAT, "TTFT p50 ms", 32, false));
        assertNull(PeerTargets.of("vLLM CPU fp32", Route.CHAT, "output tokens/s", 1, false));
        assertNull(PeerTargets.of("vLLM CPU fp32", Route.CHAT, "output tokens/s", 8, true), "long prompts: none");
        assertEquals(1.0, PeerTargets.of("Infinity", Route.EMBEDDINGS, "requests/s", 32, false));
        assertEquals(1.0, PeerTargets.of("Infinity", Route.EMBEDDINGS, "e2e p50 ms", 1, false));
        assertNull(PeerTargets.of("Infinity", Route.EMBEDDINGS, "e2e p50 ms", 8, false));
        assertEquals(1.0, PeerTargets.of("Optimum SD", Route.IMAGES, "images/s", 2, false));
    }

    @Test
    void theBuilderGraphsGoals() {
        assertEquals(1.2, PeerTargets.of("llama-server Q4_0", Route.CHAT, "output tokens/s", 1, false));
        assertEquals(2.0, PeerTargets.of("llama-server Q4_0", Route.CHAT, "output tokens/s", 8, false));
        assertEquals(2.5, PeerTargets.of("llama-server Q4_0", Route.CHAT, "output tokens/s", 32, false));
        assertNull(PeerTargets.of("llama-server Q4_0", Route.CHAT, "ITL p50 ms", 8, false));
        assertEquals(1.0, PeerTargets.of("llama-server Q4_0", Route.CHAT, "ITL p50 ms", 8, true), "long prompts");
        assertNull(PeerTargets.of("llama-server Q4_0", Route.CHAT, "output tokens/s", 8, true));
        assertEquals(0.95, PeerTargets.of("onnxruntime-genai", Route.CHAT, "output tokens/s", 1, false));
        assertEquals(0.95, PeerTargets.of("onnxruntime-genai, spinning", Route.CHAT, "output tokens/s", 1, false));
        assertNull(PeerTargets.of("onnxruntime-genai", Route.CHAT, "output tokens/s", 8, false), "a ceiling, no goal");
    }
}
