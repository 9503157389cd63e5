package io.quiver.runtime.api.embeddings;

import io.quiver.models.ModelKind;
import io.quiver.models.encoder.Encoding;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.api.InferenceCall;
import io.quiver.runtime.api.embeddings.EmbeddingsProtocol.Embedding;
import io.quiver.runtime.api.embeddings.EmbeddingsProtocol.Request;
import io.quiver.runtime.api.embeddings.EmbeddingsProtocol.Response;
import io.quiver.runtime.api.embeddings.EmbeddingsProtocol.Usage;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/** An OpenAI embeddings request, checked and run under the pod cap; shared by the HTTP route and CloudEvents. */
@ApplicationScoped
public class Embedder {
    /** The answer and how many inputs were cut to the model's maximum length (only with "truncate": true). */
    public record Result(Response response, long truncated) {
    }

    private final InferenceCall call;

    public Embedder(InferenceCall call) {
        this.call = call;
    }

    public Result embed(String route, Request request, HttpServerRequest http) {
        if (request == null) {
            throw ApiException.invalid(null, "A JSON request body is required");
        }
        String format = request.encodingFormat() == null ? "float" : request.encodingFormat();
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.invalid("encoding_format", "encoding_format must be 'float' or 'base64'");
        }
        boolean truncate = Boolean.TRUE.equals(request.truncate());
        return call.run(route, request.model(), Set.of(ModelKind.EMBEDDING), http, model -> {
            checkDimensions(request.dimensions(), model.encoder().model().dimensions(), model.name());
            return EncoderInputs.parse(request.input(), model.encoder().model(), truncate, "input");
        }, (model, inputs) -> {
            float[][] vectors = InferenceCall.await(model.encoder().submit(inputs));
            List<Embedding> data = new ArrayList<>(vectors.length);
            for (int i = 0; i < vectors.length; i++) {
                data.add(new Embedding("embedding", i, format.equals("base64") ? base64(vectors[i]) : vectors[i]));
            }
            int tokens = inputs.stream().mapToInt(Encoding::length).sum();
            long truncated = inputs.stream().filter(Encoding::truncated).count();
            return new Result(new Response("list", data, model.name(), new Usage(tokens, tokens)), truncated);
        });
    }

    private static void checkDimensions(Integer requested, int native_, String model) {
        if (requested != null && requested != native_) {
            throw ApiException.invalid("dimensions", "The model '" + model + "' returns " + native_
                    + " dimensions and cannot shorten them; omit 'dimensions' or pass " + native_);
        }
    }

    private static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(vector);
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
