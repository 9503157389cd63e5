package io.quiver.runtime.api.tei;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.ModelKind;
import io.quiver.models.encoder.EncoderModel;
import io.quiver.models.encoder.Encoding;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.InferenceCall;
import io.quiver.runtime.api.embeddings.EncoderInputs;
import io.quiver.runtime.api.tei.TeiProtocol.EmbedRequest;
import io.quiver.runtime.api.tei.TeiProtocol.PredictRequest;
import io.quiver.runtime.api.tei.TeiProtocol.Rank;
import io.quiver.runtime.api.tei.TeiProtocol.RerankRequest;
import io.smallrye.common.annotation.RunOnVirtualThread;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** text-embeddings-inference compatible routes: embed, classify (predict) and rerank. */
@Path("/")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class TeiResource {
    private final InferenceCall call;
    private final Classifier classifier;

    public TeiResource(InferenceCall call, Classifier classifier) {
        this.call = call;
        this.classifier = classifier;
    }

    @POST
    @Path("embed")
    @RunOnVirtualThread
    public float[][] embed(EmbedRequest request, @Context HttpServerRequest http) {
        required(request);
        if (Boolean.FALSE.equals(request.normalize())) {
            throw ApiException.invalid("normalize", "Quiver returns unit-length embeddings only");
        }
        boolean truncate = Boolean.TRUE.equals(request.truncate());
        return call.run("embed", request.model(), Set.of(ModelKind.EMBEDDING), http,
                model -> EncoderInputs.parse(request.inputs(), model.encoder().model(), truncate, "inputs"),
                (model, inputs) -> InferenceCall.await(model.encoder().submit(inputs)));
    }

    /** One input gives a list of label scores (best first); several inputs give one such list each. */
    @POST
    @Path("predict")
    @RunOnVirtualThread
    public Object predict(PredictRequest request, @Context HttpServerRequest http) {
        return classifier.predict("predict", request, http);
    }

    @POST
    @Path("rerank")
    @RunOnVirtualThread
    public List<Rank> rerank(RerankRequest request, @Context HttpServerRequest http) {
        required(request);
        if (request.query() == null || request.query().isEmpty()) {
            throw ApiException.invalid("query", "'query' must be a non-empty string");
        }
        JsonNode texts = request.texts();
        if (texts == null || !texts.isArray() || texts.isEmpty()) {
            throw ApiException.invalid("texts", "'texts' must be a non-empty list of strings");
        }
        EncoderInputs.checkCount(texts.size(), "texts");
        boolean truncate = Boolean.TRUE.equals(request.truncate());
        for (int i = 0; i < texts.size(); i++) {
            if (!texts.get(i).isTextual()) {
                throw ApiException.invalid("texts[" + i + "]", "'texts[" + i + "]' must be a string");
            }
        }
        return call.run("rerank", request.model(), Set.of(ModelKind.RERANKER), http, model -> {
            List<Encoding> pairs = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                pairs.add(model.encoder().model().encodePair(request.query(), texts.get(i).asText(), truncate,
                        "texts[" + i + "]"));
            }
            return pairs;
        }, (model, pairs) -> {
            EncoderModel encoder = model.encoder().model();
            float[][] logits = InferenceCall.await(model.encoder().submit(pairs));
            List<Rank> ranks = new ArrayList<>();
            for (int i = 0; i < logits.length; i++) {
                float score = Boolean.TRUE.equals(request.rawScores()) ? logits[i][0]
                        : encoder.labels().scores(logits[i])[0];
                ranks.add(new Rank(i, score, Boolean.TRUE.equals(request.returnText()) ? texts.get(i).asText() : null));
            }
            ranks.sort(Comparator.comparingDouble(Rank::score).reversed());
            return ranks;
        });
    }

    private static void required(Object request) {
        if (request == null) {
            throw ApiException.invalid(null, "A JSON request body is required");
        }
    }
}
