package io.quiver.runtime.api.lora;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.api.ApiException;
import io.quiver.runtime.config.Adapters;
import io.quiver.runtime.lifecycle.ModelRegistry;
import io.quiver.runtime.lifecycle.ServedModel;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * vLLM's runtime LoRA routes: {@code POST /v1/load_lora_adapter} {@code {lora_name, lora_path, load_inplace}} and
 * {@code POST /v1/unload_lora_adapter} {@code {lora_name}}, answered as vLLM does (200 with a plain-text line).
 * Quiver may serve several chat models, so a load names its model ({@code model}) unless only one serves chat.
 * Behind the API key like every inference route; an adapter name is unique across the server (requests name it
 * alone), and an unloaded adapter's running requests finish with it.
 */
@Path("/v1")
public class LoraAdaptersResource {
    private static final Set<String> LOAD_FIELDS = Set.of("lora_name", "lora_path", "load_inplace", "model");
    private static final Set<String> UNLOAD_FIELDS = Set.of("lora_name", "model");

    private final ModelRegistry registry;

    public LoraAdaptersResource(ModelRegistry registry) {
        this.registry = registry;
    }

    @POST
    @Path("/load_lora_adapter")
    @RunOnVirtualThread
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.TEXT_PLAIN)
    public String load(JsonNode body) {
        fields(body, LOAD_FIELDS);
        String name = name(body);
        String file = text(body, "lora_path");
        java.nio.file.Path path = java.nio.file.Path.of(file);
        if (!path.isAbsolute()) {
            throw ApiException.invalid("lora_path", "lora_path must be an absolute path on the server");
        }
        JsonNode inplace = body.get("load_inplace");
        if (inplace != null && !inplace.isBoolean()) {
            throw ApiException.invalid("load_inplace", "load_inplace must be true or false");
        }
        // One load at a time, so that two models cannot take the same name at once.
        synchronized (LoraAdaptersResource.class) {
            ServedModel model = base(body.get("model"));
            if (registry.model(name) != null) {
                throw ApiException.invalid("lora_name", "'" + name + "' is a model's name; an adapter needs its own");
            }
            ServedModel owner = registry.adapterOwner(name);
            if (owner != null && !owner.name().equals(model.name())) {
                throw ApiException.invalid("lora_name", "The LoRA adapter '" + name + "' is loaded for the model '"
                        + owner.name() + "'; adapter names are unique across the server");
            }
            model.engine(ChatEngine.class).adapters().load(name, path, inplace != null && inplace.asBoolean());
        }
        return "Success: LoRA adapter '" + name + "' added successfully.";
    }

    @POST
    @Path("/unload_lora_adapter")
    @RunOnVirtualThread
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.TEXT_PLAIN)
    public String unload(JsonNode body) {
        fields(body, UNLOAD_FIELDS);
        registry.requireReady();
        String name = name(body);
        ServedModel owner = body.hasNonNull("model") ? base(body.get("model")) : registry.adapterOwner(name);
        if (owner == null || !owner.engine(ChatEngine.class).adapters().unload(name)) {
            throw new ApiException(404, "invalid_request_error", "lora_name", "lora_adapter_not_found",
                    "The LoRA adapter '" + name + "' cannot be found", Map.of());
        }
        return "Success: LoRA adapter '" + name + "' removed successfully.";
    }

    /**
     * The chat model a load means: the one it names, else the only one that can serve adapters (the only chat
     * model, or the only one whose cache allows them).
     */
    private ServedModel base(JsonNode model) {
        if (model != null && !model.isNull() && !model.isTextual()) {
            throw ApiException.invalid("model", "model must be a string");
        }
        String name = model == null || model.isNull() ? null : model.asText();
        if (name != null) {
            if (registry.model(name) == null) {
                throw ApiException.modelNotFound(name);
            }
            return registry.resolve(name, Set.of(ModelKind.CHAT), "LoRA adapters");
        }
        registry.requireReady();
        List<ServedModel> able = registry.all().stream().filter(m -> m.engine() instanceof ChatEngine chat
                && chat.adapters().supported()).sorted(Comparator.comparing(ServedModel::name)).toList();
        if (able.size() != 1) {
            throw ApiException.invalid("model", able.isEmpty() ? "No model served here can take LoRA adapters"
                    : "model is required; several models here can take LoRA adapters: "
                    + String.join(", ", able.stream().map(ServedModel::name).toList()));
        }
        return able.getFirst();
    }

    private static void fields(JsonNode body, Set<String> allowed) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid(null, "The request body must be a JSON object");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!allowed.contains(field)) {
                throw ApiException.invalid(field, "Unknown field '" + field + "'; this route takes "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static String name(JsonNode body) {
        String name = text(body, "lora_name");
        if (!Adapters.validName(name)) {
            throw ApiException.invalid("lora_name", "lora_name must be letters, digits, '.', '_' or '-' (at most 128,"
                    + " starting with a letter or digit): requests name it as their model, alone or after "
                    + "'<model>:'");
        }
        return name;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw ApiException.invalid(field, field + " is required, a non-empty string");
        }
        return value.asText();
    }
}
