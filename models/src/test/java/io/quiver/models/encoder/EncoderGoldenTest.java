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

/**
 * The Optimum-exported BERT classifier and cross-encoder against transformers on the same weights: its tokenizer's
 * ids, the torch model's logits (alone and as one padded batch) and its text-classification pipeline's scores.
 */
class EncoderGoldenTest {
    /** Absolute, on logits and scores: ONNX Runtime and torch differ by float32 rounding (about 1e-6 here). */
    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-random-bert-intents", "tiny-random-bert-reranker"})
    void tokensLogitsAndScoresMatchTransformers(String name) {
        JsonNode golden = Fixtures.golden(name);
        ModelKind kind = ModelKind.detect(Fixtures.model(name));
        assertEquals(golden.get("labels").size() == 1 ? ModelKind.RERANKER : ModelKind.CLASSIFIER, kind);
        try (EncoderModel model = EncoderModel.load(Fixtures.model(name), kind, Placement.CPU)) {
            assertEquals(golden.get("max_length").asInt(), model.maxLength());
            assertEquals(strings(golden.get("labels")), model.labels().names(), "labels from config.json");
            List<Encoding> batch = new ArrayList<>();
            for (JsonNode c : golden.get("cases")) {
                String what = c.get("name").asText();
                boolean truncate = c.path("truncate").asBoolean(false);
                Encoding e = c.has("pair")
                        ? model.encodePair(c.get("text").asText(), c.get("pair").asText(), truncate, "input")
                        : model.encode(c.get("text").asText(), truncate, "input");
                assertArrayEquals(longs(c.get("ids")), e.ids(), what + ": token ids");
                assertArrayEquals(longs(c.get("type_ids")), e.typeIds(), what + ": token type ids");
                assertEquals(truncate, e.truncated(), what + ": truncated");
                batch.add(e);
                // Alone, unpadded.
                float[] logits = model.forward(List.of(e))[0];
                assertClose(c.get("logits"), logits, what + ": logit");
                assertClose(c.get("scores"), model.labels().scores(logits), what + ": score");
            }
            // Together, padded to the longest as transformers padded them.
            float[][] rows = model.forward(batch);
            JsonNode expected = golden.get("batch").get("logits");
            assertEquals(expected.size(), rows.length);
            for (int i = 0; i < rows.length; i++) {
                assertClose(expected.get(i), rows[i], "batch row " + i + ": logit");
            }
        }
    }

    private static void assertClose(JsonNode expected, float[] actual, String what) {
        assertEquals(expected.size(), actual.length, what + "s");
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected.get(i).asDouble(), actual[i], TOLERANCE, what + " " + i);
        }
    }

    private static long[] longs(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToLong(JsonNode::asLong).toArray();
    }

    private static List<String> strings(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
    }
}
