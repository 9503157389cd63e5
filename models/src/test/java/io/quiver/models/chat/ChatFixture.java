package io.quiver.models.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tiny random-weight DeepSeek-R1 fixture and its golden file (transformers, onnxruntime), as chat tests use it. */
final class ChatFixture {
    static final String NAME = "tiny-random-deepseek-r1";
    static final JsonNode GOLDEN = Fixtures.golden(NAME);

    private ChatFixture() {
    }

    static Path folder() {
        return Fixtures.model(NAME);
    }

    static ChatEngine engine(ChatOptions options) {
        return ChatEngine.load(folder(), Placement.CPU, options);
    }

    static JsonNode goldenCase(String name) {
        for (JsonNode c : GOLDEN.path("cases")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no golden case " + name);
    }

    /** Golden cases that carry greedy output ids. */
    static List<JsonNode> greedyCases() {
        List<JsonNode> out = new ArrayList<>();
        GOLDEN.path("cases").forEach(c -> {
            if (c.has("greedy_ids")) {
                out.add(c);
            }
        });
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static List<ChatMessage> messages(JsonNode c) {
        List<ChatMessage> out = new ArrayList<>();
        c.path("messages").forEach(m -> out.add(new ChatMessage(m.path("role").asText(), m.path("content").asText())));
        return out;
    }

    /** Greedy, no penalties, past the end-of-sequence token: what the references ran. */
    /** One prefill of {@code prompt} on an empty past, as the first step of a sequence alone in its batch. */
    static DecoderSession.Step prefill(DecoderSession decoder, int[] prompt) throws ai.onnxruntime.OrtException {
        return decoder.prefill(prompt, 0, prompt.length, null, false);
    }

    static GenerationRequest greedy(int[] prompt, int tokens) {
        return GenerationRequest.of(prompt, SamplingParams.greedy(), tokens).withIgnoreEos(true);
    }
}
