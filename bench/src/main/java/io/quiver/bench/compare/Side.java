package io.quiver.bench.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.bench.load.OpenAiClient;
import io.quiver.bench.load.Outcome;
import io.quiver.bench.load.PromptSet;
import io.quiver.bench.load.RequestSpec;
import io.quiver.bench.load.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One side of a servers comparison: how its requests are shaped and sent, and which prompt it draws next. Each side
 * draws prompts 0, 1, 2, ... of one seeded sequence across levels, rounds and warm-ups (the same sequence on both
 * sides, never a prompt twice to one server, whose prefix cache would reuse it); system prompts come from their own
 * sequence, whose first one is the prompt every request of a shared-prefix level carries.
 */
final class Side {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The tiny SD twin's own defaults, sent explicitly so a peer with other defaults does the same work. */
    static final String IMAGE_SIZE = "64x64";
    static final int IMAGE_STEPS = 25;
    static final double IMAGE_GUIDANCE = 7.5;

    private final OpenAiClient client;
    private final RequestSpec spec;
    private final boolean minTokens;
    private final int maxTokens;
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong nextSystem = new AtomicLong(1);

    /**
     * @param client    null for a side that is not reached over HTTP (it only draws prompts)
     * @param minTokens requests also carry {@code min_tokens} (vLLM's way to hold the length)
     */
    Side(OpenAiClient client, Route route, String model, boolean minTokens, int maxTokens) {
        this.client = client;
        this.spec = new RequestSpec(route, model, route == Route.CHAT, maxTokens, IMAGE_SIZE, IMAGE_STEPS);
        this.minTokens = minTokens;
        this.maxTokens = maxTokens;
    }

    Route route() {
        return spec.route();
    }

    /** The next prompt of {@code prompts}' sequence for this side. */
    String next(PromptSet prompts) {
        return prompts.get(next.getAndIncrement());
    }

    /** A request with the next prompt. */
    Outcome ask(PromptSet prompts) {
        return send(body(null, next(prompts), maxTokens));
    }

    /**
     * A chat request whose user message is the next short prompt, after a system message: the shared-prefix
     * sequence's first prompt when {@code shared}, else the next one of it (a prompt no other request carries).
     */
    Outcome ask(PromptSet user, PromptSet system, boolean shared) {
        String sys = system.get(shared ? 0 : nextSystem.getAndIncrement());
        return send(body(sys, next(user), maxTokens));
    }

    /** The whole greedy answer to one user prompt, not streamed. */
    String answer(String prompt, int tokens) throws IOException, InterruptedException {
        ObjectNode body = (ObjectNode) JSON.readTree(body(null, prompt, tokens));
        body.put("stream", false).remove("stream_options");
        return client.answer(spec.route(), body.toString());
    }

    Outcome send(String body) {
        return client.call(spec.route(), body, spec.route() == Route.CHAT);
    }

    /** The shared body with {@code max_tokens} (1 for a ready probe), vLLM's min_tokens, an image's guidance. */
    String body(String system, String prompt, int tokens) {
        try {
            ObjectNode body = (ObjectNode) JSON.readTree(spec.body(prompt));
            if (spec.route() == Route.CHAT) {
                body.put("max_tokens", tokens);
                if (minTokens) {
                    body.put("min_tokens", tokens);
                }
                if (system != null) {
                    ((ArrayNode) body.get("messages")).insertObject(0).put("role", "system").put("content", system);
                }
            } else if (spec.route() == Route.IMAGES) {
                body.put("guidance_scale", IMAGE_GUIDANCE);
            }
            return body.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
