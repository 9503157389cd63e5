package io.quiver.runtime.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.restassured.http.ContentType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every encoder route over real HTTP against the real models. */
@QuarkusTest
class EncoderRoutesTest {

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void embeddingsOfStringsAndTokenIds() {
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"all-minilm-l6-v2\",\"input\":[\"Hello world\",\"Knative scales pods\"]}")
                .post("/v1/embeddings").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("model", equalTo("all-minilm-l6-v2"))
                .body("data", hasSize(2))
                .body("data[1].index", equalTo(1))
                .body("data[0].embedding", hasSize(384))
                .body("usage.prompt_tokens", equalTo(4 + 6))
                .body("usage.total_tokens", equalTo(10));
        // "hello world" as MiniLM's token ids, with [CLS] and [SEP]: the same vector as the text.
        List<Float> fromText = given().contentType(ContentType.JSON)
                .body("{\"model\":\"all-minilm-l6-v2\",\"input\":\"hello world\"}")
                .post("/v1/embeddings").then().statusCode(200).extract().path("data[0].embedding");
        List<Float> fromIds = given().contentType(ContentType.JSON)
                .body("{\"model\":\"all-minilm-l6-v2\",\"input\":[[101,7592,2088,102]]}")
                .post("/v1/embeddings").then().statusCode(200).extract().path("data[0].embedding");
        for (int i = 0; i < fromText.size(); i++) {
            assertEquals(fromText.get(i), fromIds.get(i), 1e-5);
        }
    }

    @Test
    void base64EncodingCarriesTheSameFloats() {
        List<Float> floats = given().contentType(ContentType.JSON).body("{\"input\":\"base64 check\"}")
                .post("/v1/embeddings").then().statusCode(200).extract().path("data[0].embedding");
        String b64 = given().contentType(ContentType.JSON)
                .body("{\"input\":\"base64 check\",\"encoding_format\":\"base64\"}")
                .post("/v1/embeddings").then().statusCode(200).extract().path("data[0].embedding");
        var buffer = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        assertEquals(384, buffer.remaining());
        for (int i = 0; i < 384; i++) {
            assertEquals(floats.get(i), buffer.get(i), 1e-7);
        }
    }

    @Test
    void overLongInputIsRefusedOrTruncatedAndReported() {
        String text = "word ".repeat(300);
        given().contentType(ContentType.JSON).body("{\"input\":\"" + text + "\"}")
                .post("/v1/embeddings").then().statusCode(400)
                .body("error.param", equalTo("input"))
                .body("error.message", containsString("302 tokens"));
        given().contentType(ContentType.JSON).body("{\"input\":[\"short\",\"" + text + "\"],\"truncate\":true}")
                .post("/v1/embeddings").then().statusCode(200)
                .header("x-quiver-truncated-inputs", "1")
                .body("usage.prompt_tokens", equalTo(3 + 256));
    }

    @Test
    void teiEmbedPredictRerank() {
        given().contentType(ContentType.JSON).body("{\"inputs\":[\"a\",\"b c\"]}").post("/embed")
                .then().statusCode(200).body("$", hasSize(2)).body("[0]", hasSize(384));
        given().contentType(ContentType.JSON).body("{\"inputs\":\"Play some jazz in the kitchen\",\"model\":\"intents\"}")
                .post("/predict").then().statusCode(200)
                .body("$", hasSize(6))
                .body("label", hasItems("play_music", "set_alarm", "get_weather", "call_contact", "send_message", "stop"))
                .body("score.sum()", closeTo(1.0, 1e-4));
        given().contentType(ContentType.JSON).body("{\"inputs\":[\"Call Mum\",\"Stop\",\"Play jazz\"],\"model\":\"intents\"}")
                .post("/predict").then().statusCode(200).body("$", hasSize(3)).body("[1]", hasSize(6));
        given().contentType(ContentType.JSON)
                .body("{\"query\":\"how do I set an alarm\",\"texts\":[\"a\",\"b\",\"c\"],\"return_text\":true}")
                .post("/rerank").then().statusCode(200)
                .body("$", hasSize(3))
                .body("index", hasItems(0, 1, 2))
                .body("text", everyItem(notNullValue()))
                .body("score", everyItem(greaterThanOrEqualTo(0f)));
    }

    @Test
    void badInputsGetOpenAiShapedErrors() {
        given().contentType(ContentType.JSON).body("{\"input\":\"\"}").post("/v1/embeddings")
                .then().statusCode(400).body("error.type", equalTo("invalid_request_error"))
                .body("error.param", equalTo("input"));
        given().contentType(ContentType.JSON).body("{\"input\":42}").post("/v1/embeddings")
                .then().statusCode(400).body("error.param", equalTo("input"));
        given().contentType(ContentType.JSON).body("{\"input\":[]}").post("/v1/embeddings")
                .then().statusCode(400).body("error.param", equalTo("input"));
        given().contentType(ContentType.JSON).body("{\"input\":\"x\",\"model\":\"nope\"}").post("/v1/embeddings")
                .then().statusCode(404).body("error.code", equalTo("model_not_found"))
                .body("error.param", equalTo("model"));
        given().contentType(ContentType.JSON).body("{\"input\":\"x\",\"model\":\"intents\"}").post("/v1/embeddings")
                .then().statusCode(400).body("error.message", containsString("classifier"));
        given().contentType(ContentType.JSON).body("{\"input\":[[1,99999999]]}").post("/v1/embeddings")
                .then().statusCode(400).body("error.message", containsString("outside the vocabulary"));
        given().contentType(ContentType.JSON).body("{\"input\":\"x\",\"dimensions\":128}").post("/v1/embeddings")
                .then().statusCode(400).body("error.param", equalTo("dimensions"));
        given().contentType(ContentType.JSON).body("{\"input\": [\"x\"").post("/v1/embeddings")
                .then().statusCode(400).body("error.message", containsString("Invalid JSON"));
        given().contentType(ContentType.TEXT).body("hello").post("/v1/embeddings")
                .then().statusCode(400).body("error.type", equalTo("invalid_request_error"));
        given().get("/v1/nothing-here").then().statusCode(404).body("error.message", notNullValue());
        given().contentType(ContentType.JSON).body("{\"query\":\"q\",\"texts\":[]}").post("/rerank")
                .then().statusCode(400).body("error.param", equalTo("texts"));
    }

    @Test
    void modelsAndHealth() {
        given().get("/v1/models").then().statusCode(200).body("object", equalTo("list"))
                .body("data.id", hasItems("all-minilm-l6-v2", "intents", "reranker"))
                .body("data.find { it.id == 'intents' }.kind", equalTo("classifier"));
        given().get("/v1/models/reranker").then().statusCode(200).body("owned_by", equalTo("quiver"));
        given().get("/v1/models/nope").then().statusCode(404).body("error.code", equalTo("model_not_found"));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/health/started").then().statusCode(200);
        given().get("/health").then().statusCode(200).body("status", equalTo("ok"));
    }

    @Test
    void metricsCountRoutesAndModelLoads() {
        given().contentType(ContentType.JSON).body("{\"input\":\"count me\"}").post("/v1/embeddings")
                .then().statusCode(200);
        for (String path : List.of("/q/metrics", "/metrics")) {
            String m = Prometheus.scrape(path);
            assertTrue(Prometheus.require(m, "quiver_requests_total", "model=\"all-minilm-l6-v2\"",
                    "revision=\"local\"", "route=\"embeddings\"", "status=\"200\"") >= 1);
            // Every route of the model has its series from the start (at 0): ask for the one used.
            assertTrue(Prometheus.require(m, "quiver_request_seconds_bucket", "model=\"all-minilm-l6-v2\"",
                    "route=\"embeddings\"", "le=\"+Inf\"") >= 1);
            assertTrue(Prometheus.require(m, "quiver_model_load_seconds", "model=\"intents\"") > 0);
            assertTrue(Prometheus.require(m, "quiver_startup_seconds", "phase=\"ready\"") > 0);
        }
    }
}
