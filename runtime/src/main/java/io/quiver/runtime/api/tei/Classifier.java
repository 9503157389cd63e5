package io.quiver.runtime.api.tei;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.ModelKind;
import io.quiver.models.encoder.EncoderModel;
import io.quiver.models.encoder.Encoding;
import io.quiver.models.encoder.Labels;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.InferenceCall;
import io.quiver.runtime.api.embeddings.EncoderInputs;
import io.quiver.runtime.api.tei.TeiProtocol.PredictRequest;
import io.quiver.runtime.api.tei.TeiProtocol.Prediction;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** A TEI {@code /predict} request run under the pod cap; shared by the HTTP route and CloudEvents. */
@ApplicationScoped
public class Classifier {
    private final InferenceCall call;

    public Classifier(InferenceCall call) {
        this.call = call;
    }

    /** One input gives a list of label scores (best first); several inputs give one such list each. */
    public Object predict(String route, PredictRequest request, HttpServerRequest http) {
        if (request == null) {
            throw ApiException.invalid(null, "A JSON request body is required");
        }
        JsonNode inputs = request.inputs();
        boolean single = inputs != null && (inputs.isTextual() || isPair(inputs));
        if (!single && inputs != null && inputs.isArray()) {
            EncoderInputs.checkCount(inputs.size(), "inputs");
        }
        boolean truncate = Boolean.TRUE.equals(request.truncate());
        return call.run(route, request.model(), Set.of(ModelKind.CLASSIFIER, ModelKind.RERANKER), http,
                model -> encodings(model.encoder().model(), inputs, single, truncate), (model, encodings) -> {
            EncoderModel encoder = model.encoder().model();
            float[][] logits = InferenceCall.await(model.encoder().submit(encodings));
            List<List<Prediction>> out = new ArrayList<>();
            for (float[] row : logits) {
                out.add(predictions(encoder.labels(), row, Boolean.TRUE.equals(request.rawScores())));
            }
            return single ? out.getFirst() : out;
        });
    }

    private static List<Encoding> encodings(EncoderModel encoder, JsonNode inputs, boolean single, boolean truncate) {
        List<Encoding> encodings = new ArrayList<>();
        if (single) {
            encodings.add(encode(encoder, inputs, truncate, "inputs"));
        } else if (inputs != null && inputs.isArray() && !inputs.isEmpty()) {
            for (int i = 0; i < inputs.size(); i++) {
                encodings.add(encode(encoder, inputs.get(i), truncate, "inputs[" + i + "]"));
            }
        } else {
            throw ApiException.invalid("inputs", "'inputs' must be a text, a list of texts or of [text, text] pairs");
        }
        return encodings;
    }

    private static Encoding encode(EncoderModel encoder, JsonNode input, boolean truncate, String param) {
        if (input.isTextual() && !input.asText().isEmpty()) {
            return encoder.encode(input.asText(), truncate, param);
        }
        if (isPair(input)) {
            return encoder.encodePair(input.get(0).asText(), input.get(1).asText(), truncate, param);
        }
        throw ApiException.invalid(param, "'" + param + "' must be a non-empty text or a [text, text] pair");
    }

    private static boolean isPair(JsonNode node) {
        return node.isArray() && node.size() == 2 && node.get(0).isTextual() && node.get(1).isTextual();
    }

    private static List<Prediction> predictions(Labels labels, float[] logits, boolean raw) {
        float[] scores = raw ? logits : labels.scores(logits);
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            out.add(new Prediction(labels.name(i), scores[i]));
        }
        out.sort(Comparator.comparingDouble(Prediction::score).reversed());
        return out;
    }
}
