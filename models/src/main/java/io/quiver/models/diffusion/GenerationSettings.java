package io.quiver.models.diffusion;

import io.quiver.models.InvalidRequestException;
import java.security.SecureRandom;

/**
 * A request with the pipeline's defaults filled in and every field checked; a field out of range is an
 * {@link InvalidRequestException} naming it ({@code prompt}, {@code n}, {@code size}, {@code num_inference_steps},
 * {@code guidance_scale}, {@code scheduler}).
 */
public record GenerationSettings(
        String prompt,
        String negativePrompt,
        int n,
        int width,
        int height,
        long seed,
        int steps,
        double guidanceScale,
        SchedulerKind scheduler) {

    public static final int MAX_N = 10;
    public static final int MIN_SIDE = 64;
    public static final int MAX_SIDE = 2048;
    public static final int MAX_STEPS = 200;
    public static final double MAX_GUIDANCE = 50.0;
    private static final SecureRandom SEEDS = new SecureRandom();

    /**
     * What a pipeline serves when a request leaves a field out, and the size granularity its UNet needs.
     *
     * @param sizeMultiple width and height must be multiples of this: 8 (the VAE) × 2^(UNet downsamplings)
     * @param maxLcmSteps LCM's {@code original_inference_steps}: more steps than this are refused
     */
    public record Defaults(int width, int height, int steps, double guidanceScale, SchedulerKind scheduler,
                           int sizeMultiple, int maxLcmSteps) {
    }

    static GenerationSettings resolve(ImageRequest r, Defaults d) {
        if (r.prompt() == null || r.prompt().isBlank()) {
            throw new InvalidRequestException("prompt", "prompt must not be empty");
        }
        if (r.n() < 1 || r.n() > MAX_N) {
            throw new InvalidRequestException("n", "n must be between 1 and " + MAX_N + ", was " + r.n());
        }
        int width = r.width() == null ? d.width() : r.width();
        int height = r.height() == null ? d.height() : r.height();
        checkSide(width, d.sizeMultiple());
        checkSide(height, d.sizeMultiple());
        SchedulerKind kind = r.scheduler() == null || r.scheduler().isBlank()
                ? d.scheduler() : SchedulerKind.named(r.scheduler());
        int steps = r.steps() == null ? d.steps() : r.steps();
        int maxSteps = kind == SchedulerKind.LCM ? Math.min(MAX_STEPS, d.maxLcmSteps()) : MAX_STEPS;
        if (steps < 1 || steps > maxSteps) {
            throw new InvalidRequestException("num_inference_steps", "num_inference_steps must be between 1 and "
                    + maxSteps + (kind == SchedulerKind.LCM ? " for the LCM scheduler" : "") + ", was " + steps);
        }
        double guidance = r.guidanceScale() == null ? d.guidanceScale() : r.guidanceScale();
        if (!Double.isFinite(guidance) || guidance < 0 || guidance > MAX_GUIDANCE) {
            throw new InvalidRequestException("guidance_scale",
                    "guidance_scale must be between 0 and " + MAX_GUIDANCE + ", was " + guidance);
        }
        long seed = r.seed() == null ? SEEDS.nextLong() : r.seed();
        String negative = r.negativePrompt() == null ? "" : r.negativePrompt();
        return new GenerationSettings(r.prompt(), negative, r.n(), width, height, seed, steps, guidance, kind);
    }

    private static void checkSide(int side, int multiple) {
        if (side < MIN_SIDE || side > MAX_SIDE || side % multiple != 0) {
            throw new InvalidRequestException("size", "width and height must be multiples of " + multiple
                    + " between " + MIN_SIDE + " and " + MAX_SIDE + ", got " + side);
        }
    }
}
