package io.quiver.models.diffusion;

import static io.quiver.models.diffusion.DiffusionGoldenTest.assertClose;
import static io.quiver.models.diffusion.DiffusionGoldenTest.floats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.models.Fixtures;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.ModelFolder;
import io.quiver.models.OnnxLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every scheduler, spacing and prediction type against whole trajectories of diffusers' own scheduler classes, each
 * made with {@code from_config} from the fixture's scheduler config (models/fixtures/diffusion/generate.py):
 * timesteps, sigmas, input scales, and the sample after each step fed the same model outputs (and, for LCM, the same
 * injected noise). diffusers computes in float32 and Quiver in double, hence the relative tolerances.
 */
class SchedulerReferenceTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : Fixtures.golden(DiffusionGoldenTest.NAME).get("scheduler_cases")) {
            String prk = c.get("config").path("skip_prk_steps").asBoolean(true) ? "" : " runge-kutta";
            String clip = c.get("config").path("clip_sample").asBoolean(false) ? " clipped" : "";
            out.add(Arguments.of(c.get("scheduler").asText() + prk + clip + " "
                    + c.get("config").get("timestep_spacing").asText() + " "
                    + c.get("config").get("prediction_type").asText() + " steps=" + c.get("steps").asInt(), c));
        }
        return out.stream();
    }

    static SchedulerConfig config(JsonNode overrides) {
        ModelFolder folder = ModelFolder.of(Fixtures.model(DiffusionGoldenTest.NAME));
        ObjectNode json = (ObjectNode) folder.json("scheduler/scheduler_config.json");
        for (Iterator<Map.Entry<String, JsonNode>> it = overrides.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            json.set(e.getKey(), e.getValue());
        }
        return SchedulerConfig.parse(json, Path.of("scheduler_config.json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trajectoryMatchesTheReference(String name, JsonNode c) {
        SchedulerConfig config = config(c.get("config"));
        Scheduler s = SchedulerKind.named(c.get("scheduler").asText()).create(config, c.get("steps").asInt());
        assertClose(c.get("timesteps"), s.timesteps(), 1e-4);
        double sigma = c.get("init_noise_sigma").asDouble();
        assertEquals(sigma, s.initNoiseSigma(), 1e-6 * sigma);
        if (c.has("sigmas")) {
            DiffusionGoldenTest.assertCloseRelative(c.get("sigmas"), ((EulerDiscreteScheduler) s).sigmas(), 1e-6);
        }
        float[] sample = floats(c.get("sample"));
        Iterator<JsonNode> noises = c.get("noises").iterator();
        Scheduler.StepNoise noise = length -> floats(noises.next());
        for (int i = 0; i < s.timesteps().length; i++) {
            assertEquals(c.get("input_scales").get(i).asDouble(), s.inputScale(i), 1e-6, "input scale " + i);
            s.step(floats(c.get("model_outputs").get(i)), i, sample, noise);
            JsonNode expected = c.get("samples").get(i);
            for (int k = 0; k < sample.length; k++) {
                double e = expected.get(k).asDouble();
                assertEquals(e, sample[k], 2e-5 * Math.max(1, Math.abs(e)), "step " + i + " value " + k);
            }
        }
        assertEquals(false, noises.hasNext(), "LCM draws noise between steps only");
    }

    @Test
    void pndmsRungeKuttaStartCoversTheReferenceAndNeedsFourSteps() {
        long prk = StreamSupport.stream(Fixtures.golden(DiffusionGoldenTest.NAME).get("scheduler_cases").spliterator(),
                false).filter(c -> !c.get("config").path("skip_prk_steps").asBoolean(true)).count();
        assertEquals(true, prk >= 6, "Runge-Kutta cases in the golden: " + prk);
        JsonNode noPrk = new ObjectMapper().createObjectNode().put("skip_prk_steps", false);
        SchedulerConfig config = config(noPrk);
        assertEquals(13, new PndmScheduler(config, 4).timesteps().length, "12 Runge-Kutta evaluations, 1 PLMS");
        var e = assertThrows(IllegalArgumentException.class, () -> new PndmScheduler(config, 3));
        assertEquals(true, e.getMessage().contains("at least 4 steps"), e.getMessage());
    }

    @Test
    void guidanceEmbeddingMatchesTheLcmPipeline() {
        JsonNode g = Fixtures.golden(DiffusionGoldenTest.NAME).get("guidance_embedding");
        int dim = g.get("dim").asInt();
        for (int r = 0; r < g.get("w").size(); r++) {
            float[] emb = LcmScheduler.guidanceEmbedding(g.get("w").get(r).asDouble(), dim);
            for (int j = 0; j < dim; j++) {
                assertEquals(g.get("values").get(r * dim + j).asDouble(), emb[j], 1e-6, "w row " + r + " index " + j);
            }
        }
    }

    @Test
    void schedulersAreNamedByShortOrClassName() {
        assertEquals(SchedulerKind.EULER, SchedulerKind.named("euler"));
        assertEquals(SchedulerKind.EULER, SchedulerKind.named("EulerDiscreteScheduler"));
        assertEquals(SchedulerKind.DDIM, SchedulerKind.named("DDIM"));
        assertEquals(SchedulerKind.PNDM, SchedulerKind.named("pndmscheduler"));
        assertEquals(SchedulerKind.LCM, SchedulerKind.named(" lcm "));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> SchedulerKind.named("dpm++"));
        assertEquals("scheduler", e.param());
    }

    @Test
    void anUnsupportedConfigIsALoadErrorNamingTheFile() {
        ObjectNode json = new ObjectMapper().createObjectNode().put("prediction_type", "sample");
        var e = assertThrows(io.quiver.models.ModelLoadException.class,
                () -> SchedulerConfig.parse(json, Path.of("x/scheduler_config.json")));
        assertEquals(true, e.getMessage().contains("x/scheduler_config.json"), e.getMessage());
    }

    @Test
    void optionsTheSchedulersWouldHonourButQuiverDoesNotAreLoadErrors() {
        ObjectMapper mapper = new ObjectMapper();
        for (ObjectNode json : List.of(mapper.createObjectNode().put("use_karras_sigmas", true),
                mapper.createObjectNode().put("thresholding", true),
                mapper.createObjectNode().put("rescale_betas_zero_snr", true),
                mapper.createObjectNode().put("interpolation_type", "log_linear"),
                mapper.createObjectNode().put("final_sigmas_type", "sigma_min"))) {
            var e = assertThrows(io.quiver.models.ModelLoadException.class,
                    () -> SchedulerConfig.parse(json, Path.of("x/scheduler_config.json")));
            String field = json.fieldNames().next();
            assertEquals(true, e.getMessage().contains(field) && e.getMessage().contains("x/scheduler_config.json"),
                    e.getMessage());
        }
        // Their defaults, written out as diffusers writes them, are fine.
        SchedulerConfig.parse(mapper.createObjectNode().put("use_karras_sigmas", false).put("thresholding", false)
                .put("interpolation_type", "linear").put("timestep_type", "discrete").put("final_sigmas_type", "zero"),
                Path.of("scheduler_config.json"));
    }

    /** The fixture's UNet (Optimum) takes a float scalar timestep; older diffusers exports take int64[batch]. */
    @Test
    void timestepFeedFollowsTheDeclaredTypeAndRank() throws OrtException {
        OrtEnvironment env = OnnxLoader.environment();
        try (OnnxTensor int64 = TimestepFeed.create(env, OnnxJavaType.INT64, new long[] {-1}, 600.5, 3);
                OnnxTensor float1 = TimestepFeed.create(env, OnnxJavaType.FLOAT, new long[] {1}, 749.25, 3);
                OnnxTensor scalar = TimestepFeed.create(env, OnnxJavaType.FLOAT, new long[0], 749.25, 3);
                OnnxTensor int32 = TimestepFeed.create(env, OnnxJavaType.INT32, new long[] {-1}, 801, 2)) {
            assertEquals(OnnxJavaType.INT64, int64.getInfo().type);
            assertEquals(List.of(3L), List.of(int64.getInfo().getShape()[0]));
            long[] longs = new long[3];
            int64.getLongBuffer().get(longs);
            assertEquals(List.of(600L, 600L, 600L), List.of(longs[0], longs[1], longs[2]), "rounded half to even");
            assertEquals(1, float1.getInfo().getShape()[0]);
            assertEquals(749.25f, float1.getFloatBuffer().get(0));
            assertEquals(0, scalar.getInfo().getShape().length);
            assertEquals(749.25f, scalar.getFloatBuffer().get(0));
            assertEquals(801, int32.getIntBuffer().get(1));
        }
    }
}
