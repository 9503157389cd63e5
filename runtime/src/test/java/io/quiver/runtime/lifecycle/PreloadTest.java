package io.quiver.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import io.quiver.models.EmbeddedModels;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.models.chat.ChatModel;
import io.quiver.models.chat.ChatOptions;
import io.quiver.models.chat.GenerationRequest;
import io.quiver.models.chat.SamplingParams;
import io.quiver.models.diffusion.DiffusionPipeline;
import io.quiver.models.encoder.EncoderModel;
import io.quiver.runtime.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Loading from the first line of main, before the configuration is read, and handing over only what fits. */
class PreloadTest {
    // Not a temporary folder: ONNX Runtime's native libraries are loaded from here for the rest of the JVM.
    static final String CACHE = Path.of("target", "preload-cache").toAbsolutePath().toString();
    static final String CHAT = EmbeddedModels.SCHEME + "tiny-random-deepseek-r1";
    static final String IMAGES = EmbeddedModels.SCHEME + "tiny-random-sd";
    static final ChatOptions OPTIONS = new ChatOptions(2, null, null, true, 0);

    @AfterEach
    void discard() {
        Preload.discardUnclaimed();
    }

    static void preload(String device, String... paths) {
        Map<String, String> env = new java.util.HashMap<>(Map.of("QUIVER_DEVICE", device, "QUIVER_CACHE_DIR", CACHE));
        for (int i = 0; i < paths.length; i++) {
            env.put("QUIVER_MODELS_M" + i + "_PATH", paths[i]);
        }
        start(env);
    }

    /** As main does: through the settings' own reading of the environment. */
    static void start(Map<String, String> env) {
        Preload.start(Settings.atLaunch(env, new java.util.Properties()));
    }

    static int[] greedy(ChatEngine engine) {
        return engine.generate(GenerationRequest.of(engine.encode("Tell me a story"), SamplingParams.greedy(), 12)
                .withIgnoreEos(true)).tokenIds();
    }

    @Test
    void aPreloadedChatModelGeneratesWhatAFreshlyLoadedOneDoes() {
        preload("cpu", CHAT);
        ChatModel model = Preload.take(CHAT, ModelKind.CHAT, Placement.CPU, ChatModel.class, m -> m.opened(null))
                .orElseThrow();
        int[] fresh;
        try (ChatEngine loaded = ChatEngine.load(EmbeddedModels.materialize(CHAT, Path.of(CACHE)), Placement.CPU,
                OPTIONS)) {
            fresh = greedy(loaded);
        }
        try (ChatEngine preloaded = ChatEngine.start(model, OPTIONS)) {
            int[] ids = greedy(preloaded);
            assertEquals(12, ids.length);
            assertArrayEquals(fresh, ids);
        }
    }

    @Test
    void theGraphFileNamedForAChatModelIsTheOneOpened() {
        start(Map.of("QUIVER_DEVICE", "cpu", "QUIVER_CACHE_DIR", CACHE, "QUIVER_MODELS_R1_PATH", CHAT,
                "QUIVER_MODELS_R1_ONNX_FILE", "model_fp16.onnx"));
        try (ChatModel model = Preload.take(CHAT, ModelKind.CHAT, Placement.CPU, ChatModel.class,
                m -> m.opened("model_fp16.onnx")).orElseThrow()) {
            assertFalse(model.opened(null));
        }
    }

    @Test
    void aDiffusionPipelineComesPreloadedAndWarm() {
        preload("cpu", IMAGES);
        try (DiffusionPipeline pipeline = Preload.take(IMAGES, ModelKind.DIFFUSION, Placement.CPU,
                DiffusionPipeline.class, any -> true).orElseThrow()) {
            assertTrue(Preload.warm(pipeline));
        }
    }

    @Test
    void whatDoesNotFitTheConfigurationIsNotHandedOut() {
        preload("cpu", CHAT, IMAGES);
        assertTrue(Preload.take(CHAT, ModelKind.CHAT, Placement.CPU, ChatModel.class,
                m -> m.opened("model_q4f16.onnx")).isEmpty(), "another graph file was configured");
        assertTrue(Preload.take(CHAT, ModelKind.CHAT, Placement.CPU, ChatModel.class, m -> true).isEmpty(),
                "a preload is handed out at most once");
        assertTrue(Preload.take(IMAGES, ModelKind.EMBEDDING, Placement.CPU, EncoderModel.class, any -> true)
                .isEmpty(), "another kind was configured");
    }

    @Test
    void aPreloadIsNeverHandedToAGpuPlacement() {
        preload("cpu", IMAGES);
        assertTrue(Preload.take(IMAGES, ModelKind.DIFFUSION, new Placement(0, 1L << 30), DiffusionPipeline.class,
                any -> true).isEmpty());
    }

    @Test
    void whereAGpuIsLikelyNothingIsPreloaded() {
        assertTrue(Preload.gpuLikely("cuda"));
        assertTrue(Preload.gpuLikely("cuda:1"));
        assertFalse(Preload.gpuLikely("cpu"));
        assertEquals(Files.exists(Path.of("/dev/nvidiactl")), Preload.gpuLikely("auto"));
        preload("cuda", IMAGES);
        assertTrue(Preload.take(IMAGES, ModelKind.DIFFUSION, Placement.CPU, DiffusionPipeline.class, any -> true)
                .isEmpty());
    }
}
