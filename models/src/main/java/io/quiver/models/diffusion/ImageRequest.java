package io.quiver.models.diffusion;

/**
 * One image generation request, as the runtime hands it over. Null fields take the pipeline's defaults
 * ({@link DiffusionPipeline#defaults()}): size from the UNet's sample size, steps, guidance scale and the scheduler
 * of {@code scheduler_config.json}; a null seed draws a random one.
 *
 * @param prompt what to draw; required
 * @param negativePrompt what to steer away from (classifier-free guidance's unconditional side); null = ""
 * @param n how many images; they run as one batch
 * @param width image width in pixels
 * @param height image height in pixels
 * @param seed seeds the initial noise; image {@code k} of the request uses {@code seed + k}
 * @param steps denoising steps
 * @param guidanceScale classifier-free guidance scale (guidance applies when it is above 1)
 * @param scheduler a scheduler name ({@link SchedulerKind#named})
 */
public record ImageRequest(
        String prompt,
        String negativePrompt,
        int n,
        Integer width,
        Integer height,
        Long seed,
        Integer steps,
        Double guidanceScale,
        String scheduler) {

    /** One image of {@code prompt} with every other setting at its default. */
    public static ImageRequest of(String prompt) {
        return new ImageRequest(prompt, null, 1, null, null, null, null, null, null);
    }

    public ImageRequest withSeed(Long value) {
        return new ImageRequest(prompt, negativePrompt, n, width, height, value, steps, guidanceScale, scheduler);
    }

    public ImageRequest withN(int value) {
        return new ImageRequest(prompt, negativePrompt, value, width, height, seed, steps, guidanceScale, scheduler);
    }

    public ImageRequest withSize(Integer w, Integer h) {
        return new ImageRequest(prompt, negativePrompt, n, w, h, seed, steps, guidanceScale, scheduler);
    }

    public ImageRequest withSteps(Integer value) {
        return new ImageRequest(prompt, negativePrompt, n, width, height, seed, value, guidanceScale, scheduler);
    }

    public ImageRequest withGuidanceScale(Double value) {
        return new ImageRequest(prompt, negativePrompt, n, width, height, seed, steps, value, scheduler);
    }

    public ImageRequest withScheduler(String value) {
        return new ImageRequest(prompt, negativePrompt, n, width, height, seed, steps, guidanceScale, value);
    }

    public ImageRequest withNegativePrompt(String value) {
        return new ImageRequest(prompt, value, n, width, height, seed, steps, guidanceScale, scheduler);
    }
}
