package io.quiver.models.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.gpu.Placement;
import io.quiver.models.Fixtures;
import io.quiver.models.ModelKind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tiny random BERT classifiers against the PyTorch reference that generated them. */
class EncoderGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"tiny-random-bert-intents", "tiny-random-bert-reranker"})
    void tokenIdsAndLogitsMatchThePyTorchReference(String name) {
        JsonNode cases = Fixtures.golden(name).get("cases");
        ModelKind kind = ModelKind.detect(Fixtures.model(name));
        try (EncoderModel model = EncoderModel.load(Fixtures.model(name), kind, Placement.CPU)) {
            List<Encoding> batch = new ArrayList<>();
            for (JsonNode c : cases) {
                Encoding e = c.has("pair")
                        ? model.encodePair(c.get("text").asText(), c.get("pair").asText(), false, "input")
                        : model.encode(c.get("text").asText(), false, "input");
                assertArrayEquals(longs(c.get("ids")), e.ids(), "token ids of " + c.get("text"));
                batch.add(e);
                // Alone, unpadded.
                assertLogits(c.get("logits"), model.forward(List.of(e))[0]);
            }
            // Together, padded to the longest: padding must not change any row.
            float[][] rows = model.forward(batch);
            for (int i = 0; i < rows.length; i++) {
                assertLogits(cases.get(i).get("logits"), rows[i]);
            }
        }
    }

    private static void assertLogits(JsonNode expected, float[] actual) {
        assertEquals(expected.size(), actual.length);
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected.get(i).asDouble(), actual[i], 1e-4, "logit " + i);
        }
    }

    private static long[] longs(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
    }
}
