package io.quiver.models.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.models.InvalidRequestException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sides, batch and steps multiply: their product is refused before anything runs, with the limit named. */
class ImageBudgetTest {
    private static DiffusionPipeline pipeline;

    @BeforeAll
    static void load() {
        pipeline = DiffusionPipeline.load(Fixtures.model(DiffusionGoldenTest.NAME), Placement.CPU);
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

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
