package io.quiver.runtime.api.embeddings;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** OpenAI's embeddings request and response, plus {@code truncate} (as in text-embeddings-inference). */
public final class EmbeddingsProtocol {
    private EmbeddingsProtocol() {
    }

    public record Request(JsonNode input, String model, @JsonProperty("encoding_format") String encodingFormat,
                          Integer dimensions, String user, Boolean truncate) {
    }

    public record Response(String object, List<Embedding> data, String model, Usage usage) {
    }

    /** {@code embedding} is a float array, or a base64 string of little-endian float32 values. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Embedding(String object, int index, Object embedding) {
    }

    public record Usage(@JsonProperty("prompt_tokens") int promptTokens,
                        @JsonProperty("total_tokens") int totalTokens) {
    }
}
