package io.quiver.runtime.api.images;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * OpenAI's image generation request and response, plus the Stable Diffusion settings its users expect
 * ({@code negative_prompt}, {@code seed}, {@code num_inference_steps}, {@code guidance_scale}, {@code scheduler}).
 */
public final class ImagesProtocol {
    private ImagesProtocol() {
    }

    public record Request(
            String model,
            String prompt,
            Integer n,
            String size,
            @JsonProperty("response_format") String responseFormat,
            @JsonProperty("negative_prompt") String negativePrompt,
            Long seed,
            @JsonProperty("num_inference_steps") Integer steps,
            @JsonProperty("guidance_scale") Double guidanceScale,
            String scheduler) {
    }

    public record Response(long created, List<Image> data) {
    }

    public record Image(@JsonProperty("b64_json") String b64Json) {
    }
}
