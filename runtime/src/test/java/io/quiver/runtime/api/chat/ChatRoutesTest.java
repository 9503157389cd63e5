package io.quiver.runtime.api.chat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.models.Fixtures;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.lifecycle.ModelRegistry;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chat and legacy completions over HTTP, checked against the PyTorch reference's greedy tokens. */
@QuarkusTest
class ChatRoutesTest {
    static final String MODEL = "tiny-random-deepseek-r1";
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNode GOLDEN = Fixtures.golden(MODEL);

    @Inject
    ModelRegistry registry;
    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    ChatEngine engine() {
        return registry.resolve(MODEL, Set.of(ModelKind.CHAT), "test").engine(ChatEngine.class);
    }

    static JsonNode goldenCase(String name) {
        for (JsonNode c : GOLDEN.get("cases")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no golden case " + name);
    }

    /** The PyTorch reference's greedy completion of a case, as text. */
    String goldenText(JsonNode c) {
        int[] ids = new int[c.get("greedy_ids").size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = c.get("greedy_ids").get(i).asInt();
        }
        return engine().decode(ids);
    }

    static ObjectNode greedyChat(JsonNode c) {
        ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("temperature", 0)
                .put("max_tokens", c.get("greedy_ids").size()).put("ignore_eos", true);
        body.set("messages", c.get("messages"));
        return body;
    }

    static Response post(String route, Object body) {
        return given().contentType("application/json").body(body.toString()).post(route);
    }

    @Test
    void greedyChatMatchesThePyTorchReference() {
        for (String name : List.of("system_user", "user_long", "multi_turn")) {
            JsonNode c = goldenCase(name);
            JsonNode r = JSON.valueToTree(post("/v1/chat/completions", greedyChat(c)).then().statusCode(200)
                    .extract().as(Object.class));
            assertEquals("chat.completion", r.get("object").asText());
            JsonNode choice = r.get("choices").get(0);
            assertEquals(goldenText(c), choice.get("message").get("content").asText(), name);
            assertEquals("assistant", choice.get("message").get("role").asText());
            assertEquals("length", choice.get("finish_reason").asText());
            assertEquals(c.get("prompt_ids").size(), r.get("usage").get("prompt_tokens").asInt(), name);
            assertEquals(c.get("greedy_ids").size(), r.get("usage").get("completion_tokens").asInt(), name);
        }
    }

    @Test
    void concurrentRequestsShareTheBatchAndStillMatchTheReference() throws Exception {
        List<String> names = List.of("system_user", "user_long", "multi_turn", "system_user");
        try (ExecutorService pool = Executors.newFixedThreadPool(names.size())) {
            List<Future<String>> answers = new ArrayList<>();
            for (String name : names) {
                answers.add(pool.submit(() -> post("/v1/chat/completions", greedyChat(goldenCase(name)))
                        .then().statusCode(200).extract().path("choices[0].message.content")));
            }
            for (int i = 0; i < names.size(); i++) {
                assertEquals(goldenText(goldenCase(names.get(i))), answers.get(i).get(), names.get(i));
            }
        }
        assertEquals(0, engine().running());
    }

    @Test
    void legacyCompletionsTakeTokenIdsAndStrings() {
        JsonNode c = goldenCase("raw_text");
        ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("temperature", 0)
                .put("max_tokens", c.get("greedy_ids").size()).put("ignore_eos", true);
        body.set("prompt", c.get("prompt_ids"));
        JsonNode r = JSON.valueToTree(post("/v1/completions", body).then().statusCode(200).extract().as(Object.class));
        assertEquals("text_completion", r.get("object").asText());
        assertEquals(goldenText(c), r.get("choices").get(0).get("text").asText());

        body.set("prompt", JSON.createArrayNode().add(c.get("text").asText()).add("Another prompt"));
        body.put("max_tokens", 4);
        JsonNode two = JSON.valueToTree(post("/v1/completions", body).then().statusCode(200).extract()
                .as(Object.class));
        assertEquals(2, two.get("choices").size());
        assertEquals(1, two.get("choices").get(1).get("index").asInt());
        assertEquals(8, two.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void streamingSendsRoleDeltasFinishUsageAndDone() {
        JsonNode c = goldenCase("system_user");
        ObjectNode body = greedyChat(c).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        Response response = post("/v1/chat/completions", body);
        response.then().statusCode(200).header("Content-Type", org.hamcrest.Matchers.startsWith("text/event-stream"));
        List<JsonNode> chunks = SseEvents.parse(response.asString());
        assertEquals("assistant", chunks.getFirst().at("/choices/0/delta/role").asText());
        StringBuilder content = new StringBuilder();
        for (JsonNode chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            content.append(chunk.at("/choices/0/delta/content").asText(""));
        }
        assertEquals(goldenText(c), content.toString());
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertEquals("length", finish.at("/choices/0/finish_reason").asText());
        JsonNode usage = chunks.getLast();
        assertEquals(0, usage.get("choices").size());
        assertEquals(c.get("greedy_ids").size(), usage.at("/usage/completion_tokens").asInt());
        assertTrue(response.asString().strip().endsWith("data: [DONE]"));
    }

    @Test
    void stopStringsEndTheAnswerBeforeThem() {
        JsonNode c = goldenCase("system_user");
        String full = goldenText(c);
        String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
        ObjectNode body = greedyChat(c);
        body.putArray("stop").add(stop);
        JsonNode r = JSON.valueToTree(post("/v1/chat/completions", body).then().statusCode(200).extract()
                .as(Object.class));
        assertEquals(full.substring(0, full.indexOf(stop)), r.at("/choices/0/message/content").asText());
        assertEquals("stop", r.at("/choices/0/finish_reason").asText());
    }

    @Test
    void sameSeedSameAnswerOtherSeedOtherAnswer() {
        ObjectNode body = greedyChat(goldenCase("system_user")).put("temperature", 1.0).put("seed", 7)
                .put("max_tokens", 16);
        String first = post("/v1/chat/completions", body).then().statusCode(200).extract()
                .path("choices[0].message.content");
        String again = post("/v1/chat/completions", body).then().statusCode(200).extract()
                .path("choices[0].message.content");
        String other = post("/v1/chat/completions", body.put("seed", 8)).then().statusCode(200).extract()
                .path("choices[0].message.content");
        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    @Test
    void prefilledThinkGoesToReasoningAndTheSwitchTurnsItOff() {
        ObjectNode body = JSON.createObjectNode().put("model", "r1-think").put("temperature", 0)
                .put("max_tokens", 12).put("ignore_eos", true);
        body.set("messages", goldenCase("think_template").get("messages"));
        JsonNode r = JSON.valueToTree(post("/v1/chat/completions", body).then().statusCode(200).extract()
                .as(Object.class));
        String reasoning = r.at("/choices/0/message/reasoning").asText();
        assertFalse(reasoning.isEmpty());
        assertTrue(r.at("/choices/0/message/reasoning_content").isMissingNode(), "vLLM's one field by default");
        assertEquals("", r.at("/choices/0/message/content").asText());

        JsonNode plain = JSON.valueToTree(post("/v1/chat/completions", body.put("model", "r1-plain")).then()
                .statusCode(200).extract().as(Object.class));
        assertEquals(reasoning, plain.at("/choices/0/message/content").asText());
        assertTrue(plain.at("/choices/0/message/reasoning").isMissingNode());

        List<JsonNode> chunks = SseEvents.parse(post("/v1/chat/completions", body.put("model", "r1-think")
                .put("stream", true)).then().statusCode(200).extract().asString());
        StringBuilder streamed = new StringBuilder();
        for (JsonNode chunk : chunks) {
            assertTrue(chunk.at("/choices/0/delta/content").asText("").isEmpty(), chunk.toString());
            assertTrue(chunk.at("/choices/0/delta/reasoning_content").isMissingNode(), chunk.toString());
            streamed.append(chunk.at("/choices/0/delta/reasoning").asText(""));
        }
        assertEquals(reasoning, streamed.toString());
    }

    @Test
    void promptPlusMaxTokensBeyondTheContextIsA400WithTheNumbers() {
        ObjectNode body = greedyChat(goldenCase("system_user")).put("max_tokens", 100_000);
        post("/v1/chat/completions", body).then().statusCode(400)
                .body("error.param", org.hamcrest.Matchers.equalTo("max_tokens"))
                .body("error.message", org.hamcrest.Matchers.containsString("context length 512"))
                .body("error.message", org.hamcrest.Matchers.containsString("100000"));
        assertEquals(0, admission.running());
    }

    @Test
    void generationMetricsAreExported() {
        post("/v1/chat/completions", greedyChat(goldenCase("system_user"))).then().statusCode(200);
        String metrics = Prometheus.scrape("/q/metrics");
        String model = "model=\"" + MODEL + "\"";
        assertTrue(Prometheus.require(metrics, "quiver_time_to_first_token_seconds_count", model) > 0);
        assertTrue(Prometheus.require(metrics, "quiver_inter_token_latency_seconds_count", model) > 0);
        assertTrue(Prometheus.require(metrics, "quiver_prompt_tokens_total", model) > 0);
        assertTrue(Prometheus.require(metrics, "quiver_generation_tokens_total", model) >= 24);
        assertTrue(Prometheus.require(metrics, "quiver_batch_size_count", model) > 0);
        assertTrue(Prometheus.value(metrics, "quiver_kv_cache_usage_ratio", model).isPresent());
        assertTrue(Prometheus.require(metrics, "quiver_requests_total", model, "route=\"chat\"",
                "status=\"200\"") > 0);
    }
}
