package io.quiver.models.diffusion;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.InvalidRequestException;
import io.quiver.models.PodMemory;

/**
 * What one image request may cost, judged before it runs. Each field of a request is checked on its own in
 * {@link GenerationSettings}; together they multiply, so the product is bounded here too:
 * <ul>
 *   <li>each side at most {@link #SIDE_FACTOR} × the UNet's native size (a UNet draws badly far from it anyway);
 *   <li>work, n × pixels × steps, at most {@code maxWork} denoising steps of one native-size image (by default
 *       {@link #MAX_NATIVE_IMAGE_STEPS}: ten images of 50 steps);
 *   <li>memory: self-attention at the latent resolution holds rows × heads × tokens² scores at once, which grows
 *       with the fourth power of the side; its estimate must stay under half of the pod's memory.
 * </ul>
 */
public record ImageBudget(int nativeSide, int vaeScale, int attentionHeads, long memoryBytes, int maxWork) {
    public static final int SIDE_FACTOR = 2;
    public static final int MAX_NATIVE_IMAGE_STEPS = 500;

    /** The budget for a pipeline whose UNet has this config, in a pod with {@link PodMemory#bytes()}. */
    static ImageBudget of(JsonNode unetConfig, int nativeSide, int vaeScale) {
        JsonNode heads = unetConfig.hasNonNull("num_attention_heads") ? unetConfig.get("num_attention_heads")
                : unetConfig.path("attention_head_dim");
        int most = 8;
        if (heads.isArray()) {
            for (JsonNode h : heads) {
                most = Math.max(most, h.asInt());
            }
        } else if (heads.isInt()) {
            most = heads.asInt();
        }
        return new ImageBudget(nativeSide, vaeScale, most, PodMemory.bytes(), MAX_NATIVE_IMAGE_STEPS);
    }

    /** The same budget with another work limit, in denoising steps of one native-size image. */
    public ImageBudget withMaxWork(int steps) {
        return new ImageBudget(nativeSide, vaeScale, attentionHeads, memoryBytes, steps);
    }

    /** Bytes one UNet evaluation's attention scores take at the latent resolution, for {@code rows} batch rows. */
    public long attentionBytes(int rows, int width, int height) {
        long tokens = (long) (width / vaeScale) * (height / vaeScale);
        return (long) rows * attentionHeads * tokens * tokens * Float.BYTES;
    }

    /** @throws InvalidRequestException naming the limit the request is over */
    void check(GenerationSettings s, boolean guided) {
        int maxSide = SIDE_FACTOR * nativeSide;
        if (s.width() > maxSide || s.height() > maxSide) {
            throw new InvalidRequestException("size", "this model draws at most " + maxSide + " pixels a side ("
                    + SIDE_FACTOR + " × its native " + nativeSide + "), got " + s.width() + "x" + s.height());
        }
        double work = s.n() * ((double) s.width() * s.height() / ((double) nativeSide * nativeSide)) * s.steps();
        if (work > maxWork) {
            throw new InvalidRequestException("num_inference_steps", String.format("n × size × steps is %.0f "
                    + "denoising steps of a native %dx%d image, more than the limit of %d per request",
                    work, nativeSide, nativeSide, maxWork));
        }
        long need = attentionBytes(guided ? 2 * s.n() : s.n(), s.width(), s.height());
        if (need > memoryBytes / 2) {
            throw new InvalidRequestException("size", String.format("%dx%d × %d image(s) needs about %d MiB for "
                    + "attention, more than half of this pod's %d MiB; ask for fewer or smaller images",
                    s.width(), s.height(), s.n(), need >> 20, memoryBytes >> 20));
        }
    }
}
