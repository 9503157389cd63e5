package io.quiver.runtime.api.models;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.lifecycle.ModelRegistry;
import io.quiver.runtime.lifecycle.ServedModel;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}: the loaded models as OpenAI model cards, and each chat
 * model's LoRA adapters as cards of their own whose {@code parent} is the model (as vLLM lists them).
 */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    /**
     * OpenAI's card plus {@code kind}, so clients can tell an embedding model from a chat model, and for chat models
     * vLLM's {@code max_model_len} (tokens per sequence, prompt and completion).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ModelCard(String id, String object, long created, @JsonProperty("owned_by") String ownedBy,
                            String kind, @JsonProperty("max_model_len") Integer maxModelLen, String parent) {
        static ModelCard of(ServedModel m) {
            Integer context = m.engine() instanceof ChatEngine chat ? chat.contextLength() : null;
            return new ModelCard(m.name(), "model", m.created(), "quiver", m.kind().name().toLowerCase(), context,
                    null);
        }

        static ModelCard adapter(ServedModel m, String adapter) {
            return new ModelCard(adapter, "model", m.created(), "quiver", m.kind().name().toLowerCase(),
                    m.engine(ChatEngine.class).contextLength(), m.name());
        }
    }

    /** The model's card, then one per adapter it holds. */
    private static Stream<ModelCard> cards(ServedModel m) {
        Stream<ModelCard> own = Stream.of(ModelCard.of(m));
        return m.engine() instanceof ChatEngine chat
                ? Stream.concat(own, chat.adapters().names().stream().map(a -> ModelCard.adapter(m, a))) : own;
    }

    public record ModelList(String object, List<ModelCard> data) {
    }

    private final ModelRegistry registry;

    public ModelsResource(ModelRegistry registry) {
        this.registry = registry;
    }

    @GET
    public ModelList list() {
        return new ModelList("list", registry.all().stream().sorted(Comparator.comparing(ServedModel::name))
                .flatMap(ModelsResource::cards).toList());
    }

    @GET
    @Path("/{id}")
    public ModelCard get(@PathParam("id") String id) {
        return registry.all().stream().flatMap(ModelsResource::cards).filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> ApiException.modelNotFound(id));
    }
}
