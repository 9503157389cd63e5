package io.quiver.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What each request of a run asks for. Generation is greedy with a fixed output length ({@code ignore_eos}, as
 * vLLM and llama.cpp accept it) so that runs and peers produce the same number of tokens.
 */
public record RequestSpec(Route route, String model, boolean stream, int maxTokens, String imageSize, int imageSteps,
                          String responseFormat) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public RequestSpec(Route route, String model, boolean stream, int maxTokens, String imageSize, int imageSteps) {
        this(route, model, stream, maxTokens, imageSize, imageSteps, null);
    }

    /** Chat with {@code response_format} set to this JSON object (structured outputs), or none when null. */
    public RequestSpec withResponseFormat(String json) {
        return new RequestSpec(route, model, stream, maxTokens, imageSize, imageSteps, json);
    }

    public String body(String prompt) {
        ObjectNode body = JSON.createObjectNode();
        if (model != null && !model.isBlank()) {
            body.put("model", model);
        }
        switch (route) {
            case CHAT -> {
                body.putArray("messages").addObject().put("role", "user").put("content", prompt);
                generation(body);
                if (responseFormat != null) {
                    try {
                        body.set("response_format", JSON.readTree(responseFormat));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new IllegalArgumentException("--response-format is not JSON: " + e.getOriginalMessage());
                    }
                }
            }
            case COMPLETIONS -> {
                body.put("prompt", prompt);
                generation(body);
            }
            case EMBEDDINGS -> body.put("input", prompt);
            case IMAGES -> {
                body.put("prompt", prompt).put("n", 1).put("size", imageSize).put("response_format", "b64_json");
                if (imageSteps > 0) {
                    // The field's name in the servers' protocol (diffusers' argument); "steps" is not read.
                    body.put("num_inference_steps", imageSteps);
                }
            }
        }
        return body.toString();
    }

    private void generation(ObjectNode body) {
        body.put("max_tokens", maxTokens).put("temperature", 0).put("ignore_eos", true).put("stream", stream);
        if (stream) {
            body.putObject("stream_options").put("include_usage", true);
        }
    }
}
