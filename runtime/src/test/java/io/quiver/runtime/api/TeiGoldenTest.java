package io.quiver.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.models.Fixtures;
import io.quiver.runtime.Ready;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /predict} and {@code /rerank} over HTTP answer what transformers computes on the same weights: the
 * classifier's softmax scores by label, the cross-encoder's sigmoid relevance (and raw logits when asked).
 */
@QuarkusTest
class TeiGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Absolute; the HTTP answer carries float32 scores. */
    private static final double TOLERANCE = 1e-5;
    private static final JsonNode INTENTS = Fixtures.golden("tiny-random-bert-intents");
    private static final JsonNode RERANKER = Fixtures.golden("tiny-random-bert-reranker");

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void predictGivesTransformersScoresByLabelBestFirst() {
        ArrayNode texts = JSON.createArrayNode();
        INTENTS.get("cases").forEach(c -> texts.add(c.get("text")));
        ObjectNode body = JSON.createObjectNode().put("model", "intents").put("truncate", true);
        body.set("inputs", texts);
        JsonNode answer = post("/predict", body);
        assertEquals(texts.size(), answer.size());
        for (int i = 0; i < texts.size(); i++) {
            JsonNode c = INTENTS.get("cases").get(i);
            assertPredictions(c.get("scores"), answer.get(i), c.get("name").asText());
        }
        JsonNode c = INTENTS.get("cases").get(0);
        body = JSON.createObjectNode().put("model", "intents").put("raw_scores", true).set("inputs", c.get("text"));
        assertPredictions(c.get("logits"), post("/predict", body), c.get("name").asText() + " raw");
    }

    @Test
    void rerankGivesTransformersSigmoidRelevance() {
        JsonNode cases = RERANKER.get("cases");
        ArrayNode texts = JSON.createArrayNode();
        cases.forEach(c -> texts.add(c.get("pair")));
        for (boolean raw : new boolean[] {false, true}) {
            ObjectNode body = JSON.createObjectNode().put("model", "reranker").put("truncate", true)
                    .put("raw_scores", raw).put("query", cases.get(0).get("text").asText());
            body.set("texts", texts);
            JsonNode ranks = post("/rerank", body);
            assertEquals(cases.size(), ranks.size());
            for (int r = 0; r < ranks.size(); r++) {
                JsonNode c = cases.get(ranks.get(r).get("index").asInt());
                assertEquals(c.get(raw ? "logits" : "scores").get(0).asDouble(), ranks.get(r).get("score").asDouble(),
                        TOLERANCE, c.get("name").asText());
                assertTrue(r == 0 || ranks.get(r - 1).get("score").asDouble() >= ranks.get(r).get("score").asDouble());
            }
        }
        // The same cross-encoder through /predict, a [query, text] pair: one label, the same sigmoid score.
        JsonNode c = cases.get(0);
        ObjectNode body = JSON.createObjectNode().put("model", "reranker");
        body.putArray("inputs").add(c.get("text")).add(c.get("pair"));
        assertPredictions(c.get("scores"), post("/predict", body), c.get("name").asText());
    }

    /** A TEI prediction list (label, score; best first) against the golden values in config.json's label order. */
    private static void assertPredictions(JsonNode expected, JsonNode predictions, String what) {
        JsonNode labels = (expected.size() == 1 ? RERANKER : INTENTS).get("labels");
        assertEquals(expected.size(), predictions.size(), what);
        double previous = Double.POSITIVE_INFINITY;
        for (JsonNode p : predictions) {
            int index = indexOf(labels, p.get("label").asText());
            assertEquals(expected.get(index).asDouble(), p.get("score").asDouble(), TOLERANCE,
                    what + ": " + p.get("label").asText());
            assertTrue(p.get("score").asDouble() <= previous, what + ": best first");
            previous = p.get("score").asDouble();
        }
    }

    private static int indexOf(JsonNode labels, String label) {
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).asText().equals(label)) {
                return i;
            }
        }
        throw new AssertionError("unknown label " + label);
    }

    private static JsonNode post(String route, JsonNode body) {
        String answer = given().contentType("application/json").body(body.toString()).post(route)
                .then().statusCode(200).extract().asString();
        try {
            return JSON.readTree(answer);
        } catch (java.io.IOException e) {
            throw new AssertionError(answer, e);
        }
    }
}
