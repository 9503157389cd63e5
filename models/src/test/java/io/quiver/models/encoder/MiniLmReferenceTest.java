package io.quiver.models.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import io.quiver.gpu.Placement;
import io.quiver.models.EmbeddedModels;
import io.quiver.models.Fixtures;
import io.quiver.models.ModelKind;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded MiniLM, batched, against langchain4j's own in-process implementation of the same model. */
class MiniLmReferenceTest {
    private static EncoderBatcher batcher;

    @BeforeAll
    static void load() {
        EncoderModel model = EncoderModel.load(Fixtures.model(EmbeddedModels.MINILM), ModelKind.EMBEDDING,
                Placement.CPU);
        batcher = new EncoderBatcher(model, "minilm", 8, Duration.ofMillis(2), 2);
    }

    @AfterAll
    static void close() {
        batcher.close();
    }

    @Test
    void embeddingsMatchLangchain4jAndAreUnitLength() throws Exception {
        // Out of length order, so the rows come back through the by-length batching.
        List<String> texts = List.of(
                "A considerably longer sentence about scaling inference pods from zero when traffic arrives.",
                "Hello world", "Quiver serves models on Knative.");
        List<Encoding> inputs = texts.stream().map(t -> batcher.model().encode(t, false, "input")).toList();
        float[][] ours = batcher.submit(inputs).get();
        var reference = new AllMiniLmL6V2EmbeddingModel();
        for (int i = 0; i < texts.size(); i++) {
            float[] theirs = reference.embed(texts.get(i)).content().vector();
            assertEquals(384, ours[i].length);
            assertEquals(1.0, norm(ours[i]), 1e-5);
            assertEquals(1.0, cosine(ours[i], theirs), 1e-5, "cosine to reference for: " + texts.get(i));
        }
    }

    @Test
    void twoBatchesRunAtOnceAndEveryRequestGetsItsOwnRows() throws Exception {
        var m = batcher.model();
        List<Encoding> inputs = java.util.stream.IntStream.range(0, 24)
                .mapToObj(i -> m.encode("request " + i + " " + "about autoscaling ".repeat(1 + i % 5), false, "input"))
                .toList();
        float[][] alone = new float[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) {
            alone[i] = m.forward(List.of(inputs.get(i)))[0];
        }
        var futures = inputs.stream().map(input -> batcher.submit(List.of(input))).toList();
        for (int i = 0; i < inputs.size(); i++) {
            assertEquals(1.0, cosine(futures.get(i).get()[0], alone[i]), 1e-5, "request " + i);
        }
        assertTrue(batcher.peakExecuting() > 8, "one batch of at most 8 at a time: " + batcher.peakExecuting());
    }

    @Test
    void similarMeaningsAreCloser() throws Exception {
        var m = batcher.model();
        float[][] v = batcher.submit(List.of(m.encode("The cat sits on the mat", false, "input"),
                m.encode("A kitten is resting on a rug", false, "input"),
                m.encode("Quarterly earnings beat expectations", false, "input"))).get();
        assertTrue(cosine(v[0], v[1]) > cosine(v[0], v[2]) + 0.2);
    }

    @Test
    void overLongInputIsRefusedOrTruncatedOnRequest() throws Exception {
        String longText = "word ".repeat(400);
        var error = org.junit.jupiter.api.Assertions.assertThrows(io.quiver.models.InvalidRequestException.class,
                () -> batcher.model().encode(longText, false, "input"));
        assertTrue(error.getMessage().contains("402 tokens") && error.getMessage().contains("256"), error.getMessage());
        Encoding cut = batcher.model().encode(longText, true, "input");
        assertTrue(cut.truncated());
        assertEquals(256, cut.length());
        assertEquals(1, batcher.submit(List.of(cut)).get().length);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot / (norm(a) * norm(b));
    }

    private static double norm(float[] a) {
        double s = 0;
        for (float x : a) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
