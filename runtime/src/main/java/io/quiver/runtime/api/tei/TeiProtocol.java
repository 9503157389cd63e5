package io.quiver.runtime.api.tei;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** Requests and answers of Hugging Face text-embeddings-inference's /embed, /predict and /rerank. */
public final class TeiProtocol {
    private TeiProtocol() {
    }

    /** {@code model} is Quiver's addition, for a pod serving several encoders. */
    public record EmbedRequest(JsonNode inputs, Boolean normalize, Boolean truncate, String model) {
    }

    /** {@code inputs}: a text, a list of texts, or a list of [text, text] pairs. */
    public record PredictRequest(JsonNode inputs, @JsonProperty("raw_scores") Boolean rawScores, Boolean truncate,
                                 String model) {
    }

    public record Prediction(String label, float score) {
    }

    public record RerankRequest(String query, JsonNode texts, @JsonProperty("raw_scores") Boolean rawScores,
                                @JsonProperty("return_text") Boolean returnText, Boolean truncate, String model) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rank(int index, float score, String text) {
    }
}
