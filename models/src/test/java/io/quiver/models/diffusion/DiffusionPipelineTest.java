package io.quiver.models.diffusion;

import static io.quiver.models.diffusion.DiffusionGoldenTest.rgb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.ModelKind;
import io.quiver.models.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request-level contract the runtime relies on: defaults, determinism, batching, validation, step counts. */
class DiffusionPipelineTest {
    private static DiffusionPipeline pipeline;

    @BeforeAll
    static void load() {
        pipeline = DiffusionPipeline.load(Fixtures.model(DiffusionGoldenTest.NAME), Placement.CPU);
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    private static ImageRequest quick() {
        return ImageRequest.of("a castle on a hill at sunset").withSteps(3).withScheduler("euler");
    }

    @Test
    void theFolderIsADiffusionModelWithDefaultsFromItsConfigs() {
        assertEquals(ModelKind.DIFFUSION, ModelKind.detect(Fixtures.model(DiffusionGoldenTest.NAME)));
        GenerationSettings.Defaults d = pipeline.defaults();
        assertEquals(64, d.width());
        assertEquals(64, d.height());
        assertEquals(SchedulerKind.PNDM, d.scheduler());
        assertEquals(16, d.sizeMultiple(), "VAE ×8, one UNet downsampling ×2");
        assertFalse(pipeline.latentConsistency());
        assertArrayEquals(new long[] {2, 4, 8, 16}, pipeline.latentShape(2, 128, 64));
    }

    @Test
    void theSameSeedGivesIdenticalPngBytes() {
        byte[] a = pipeline.generate(quick().withSeed(1234L)).getFirst();
        byte[] b = pipeline.generate(quick().withSeed(1234L)).getFirst();
        byte[] c = pipeline.generate(quick().withSeed(1235L)).getFirst();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
        assertEquals((byte) 0x89, a[0]);
        assertEquals('P', a[1]);
    }

    @Test
    void imageKOfASeededBatchIsTheSingleImageOfSeedPlusK() {
        List<byte[]> batch = pipeline.generate(quick().withSeed(77L).withN(2));
        for (int k = 0; k < 2; k++) {
            int[] alone = rgb(pipeline.generate(quick().withSeed(77L + k)).getFirst());
            int[] inBatch = rgb(batch.get(k));
            for (int i = 0; i < alone.length; i++) {
                assertTrue(Math.abs(alone[i] - inBatch[i]) <= 1, "image " + k + " value " + i);
            }
        }
    }

    @Test
    void noSeedDrawsARandomOne() {
        byte[] a = pipeline.generate(quick()).getFirst();
        byte[] b = pipeline.generate(quick()).getFirst();
        assertFalse(Arrays.equals(a, b));
    }

    @Test
    void sizesOtherThanTheDefaultWork() {
        byte[] png = pipeline.generate(quick().withSeed(1L).withSize(96, 64).withSteps(1)).getFirst();
        int[] pixels = rgb(png);
        assertEquals(96 * 64 * 3, pixels.length);
    }

    @Test
    void everySchedulerRunsAndCountsItsSteps() {
        for (String name : SchedulerKind.names()) {
            List<Integer> seen = new ArrayList<>();
            long before = pipeline.denoisingSteps();
            pipeline.generate(quick().withSeed(5L).withScheduler(name).withSteps(4), (step, total) -> seen.add(total));
            int expected = name.equals("pndm") ? 5 : 4;
            assertEquals(expected, seen.size(), name);
            assertEquals(expected, seen.getFirst(), name);
            assertTrue(pipeline.denoisingSteps() - before >= expected, name);
        }
    }

    @Test
    void badRequestsNameTheParameter() {
        assertParam("prompt", ImageRequest.of(null));
        assertParam("prompt", ImageRequest.of("  "));
        assertParam("n", quick().withN(0));
        assertParam("n", quick().withN(GenerationSettings.MAX_N + 1));
        assertParam("size", quick().withSize(72, 64));
        assertParam("size", quick().withSize(64, 60));
        assertParam("size", quick().withSize(32, 32));
        assertParam("size", quick().withSize(4096, 64));
        assertParam("num_inference_steps", quick().withSteps(0));
        assertParam("num_inference_steps", quick().withSteps(GenerationSettings.MAX_STEPS + 1));
        assertParam("num_inference_steps", quick().withScheduler("lcm").withSteps(51));
        assertParam("guidance_scale", quick().withGuidanceScale(-1.0));
        assertParam("guidance_scale", quick().withGuidanceScale(Double.NaN));
        assertParam("scheduler", quick().withScheduler("k_dpm_2"));
        InvalidRequestException early = assertThrows(InvalidRequestException.class,
                () -> pipeline.validate(quick().withSize(100, 64)));
        assertEquals("size", early.param());
        assertEquals(25, pipeline.validate(ImageRequest.of("x")).steps());
    }

    private static void assertParam(String param, ImageRequest request) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> pipeline.generate(request));
        assertEquals(param, e.param(), e.getMessage());
    }

    @Test
    void aFolderWithoutItsUNetIsALoadErrorNamingIt(@TempDir Path dir) throws IOException {
        Path source = Fixtures.model(DiffusionGoldenTest.NAME);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path target = dir.resolve(source.relativize(f).toString());
                if (!target.endsWith(Path.of("unet", "model.onnx"))) {
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target);
                }
            }
        }
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> DiffusionPipeline.load(dir, Placement.CPU));
        assertTrue(e.getMessage().contains("UNet") && e.getMessage().contains("unet/model.onnx"), e.getMessage());
    }

    @Test
    void seededNoiseIsStandardNormalAndReproducible() {
        float[] a = new GaussianNoise(42).next(20_000);
        assertArrayEquals(a, new GaussianNoise(42).next(20_000));
        double mean = 0;
        double square = 0;
        for (float v : a) {
            mean += v;
            square += v * v;
        }
        mean /= a.length;
        double variance = square / a.length - mean * mean;
        assertEquals(0.0, mean, 0.03);
        assertEquals(1.0, variance, 0.05);
        // Pinned values: the noise a seed gives must not change between releases.
        assertArrayEquals(new float[] {-1.8839084f, 0.86450684f, 0.22760794f, -0.042112686f},
                new GaussianNoise(0).next(4));
    }

    // What one request may cost: sides, batch and steps multiply, and the product is bounded too.

    private static InvalidRequestException refused(ImageRequest request) {
        return assertThrows(InvalidRequestException.class, () -> pipeline.validate(request));
    }

    @Test
    void aSideFarFromTheNativeSizeIsRefused() {
        int nativeSide = pipeline.defaults().width();
        InvalidRequestException e = refused(ImageRequest.of("x").withSize(1024, 1024).withSteps(1));
        assertEquals("size", e.param());
        assertTrue(e.getMessage().contains("at most " + 2 * nativeSide), e.getMessage());
        pipeline.validate(ImageRequest.of("x").withSize(2 * nativeSide, 2 * nativeSide).withSteps(1));
    }

    @Test
    void batchTimesPixelsTimesStepsIsBounded() {
        int side = 2 * pipeline.defaults().width();
        // Each field is within its own limit; together 10 × 4 native images × 200 steps.
        InvalidRequestException e = refused(ImageRequest.of("x").withN(10).withSize(side, side).withSteps(200));
        assertEquals("num_inference_steps", e.param());
        assertTrue(e.getMessage().contains("limit of " + ImageBudget.MAX_NATIVE_IMAGE_STEPS), e.getMessage());
        pipeline.validate(ImageRequest.of("x").withN(10).withSteps(50));
    }

    @Test
    void theWorkLimitCanBeRaised() {
        int side = 2 * pipeline.defaults().width();
        ImageRequest big = ImageRequest.of("x").withN(10).withSize(side, side).withSteps(200);
        ImageBudget raised = pipeline.budget().withMaxWork(10 * 4 * 200);
        raised.check(GenerationSettings.resolve(big, pipeline.defaults()), true);
        assertThrows(InvalidRequestException.class, () -> pipeline.budget().check(
                GenerationSettings.resolve(big, pipeline.defaults()), true));
    }

    @Test
    void attentionMemoryIsEstimatedAgainstThePodsMemory() {
        ImageBudget budget = pipeline.budget();
        assertTrue(budget.memoryBytes() > 0);
        // Scores grow with tokens squared: doubling each side multiplies them by 16.
        assertEquals(16 * budget.attentionBytes(2, 64, 64), budget.attentionBytes(2, 128, 128));
        ImageBudget small = new ImageBudget(budget.nativeSide(), budget.vaeScale(), budget.attentionHeads(),
                budget.attentionBytes(2, 128, 128), budget.maxWork());
        GenerationSettings big = pipeline.validate(ImageRequest.of("x").withSize(128, 128).withSteps(1));
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> small.check(big, true));
        assertEquals("size", e.param());
        assertTrue(e.getMessage().contains("MiB"), e.getMessage());
    }
}
