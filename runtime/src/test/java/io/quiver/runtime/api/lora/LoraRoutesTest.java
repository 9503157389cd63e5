package io.quiver.runtime.api.lora;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.models.Fixtures;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.quiver.runtime.lifecycle.ModelRegistry;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LoRA adapters over HTTP: a request's model names {@code <model>:<adapter>} or the adapter alone and is answered
 * with transformers + peft's greedy tokens; an unknown adapter is a 404; vLLM's load and unload routes work behind
 * the API key, refuse what they cannot do in OpenAI's error shape, and an unload while a request runs lets it finish.
 */
@QuarkusTest
@TestProfile(LoraProfile.class)
class LoraRoutesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonNode GOLDEN = Fixtures.golden(LoraProfile.FIXTURE);
    static final int TOKENS = GOLDEN.path("greedy_tokens").asInt();

    @Inject
    ModelRegistry registry;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static RequestSpecification authorized() {
        return given().header("Authorization", "Bearer " + LoraProfile.KEY).contentType("application/json");
    }

    ChatEngine engine() {
        return registry.model(LoraProfile.MODEL).engine(ChatEngine.class);
    }

    static Path adapterFile(String name) {
        return Fixtures.testModel(LoraProfile.FIXTURE).resolve("adapters/" + name + ".onnx_adapter")
                .toAbsolutePath();
    }

    static ObjectNode completion(String model, JsonNode c, int tokens) {
        ObjectNode body = JSON.createObjectNode().put("model", model).put("temperature", 0)
                .put("max_tokens", tokens).put("ignore_eos", true);
        body.set("prompt", c.path("prompt_ids"));
        return body;
    }

    JsonNode complete(ObjectNode body) {
        return JSON.valueToTree(authorized().body(body.toString()).post("/v1/completions").then().statusCode(200)
                .extract().as(Object.class));
    }

    String expected(JsonNode c, String label) {
        JsonNode ids = c.path("ids").path(label);
        int[] out = new int[ids.size()];
        Arrays.setAll(out, i -> ids.get(i).asInt());
        return engine().decode(out);
    }

    @Test
    void theModelFieldNamesTheAdapterEitherWay() {
        for (JsonNode c : GOLDEN.path("cases")) {
            String name = c.path("name").asText();
            JsonNode viaBase = complete(completion("lora:alpha", c, TOKENS));
            assertEquals(expected(c, "alpha"), viaBase.at("/choices/0/text").asText(), name);
            assertEquals("lora:alpha", viaBase.path("model").asText(), "answered under the name asked for");
            JsonNode alone = complete(completion("alpha", c, TOKENS));
            assertEquals(expected(c, "alpha"), alone.at("/choices/0/text").asText(), name);
            assertEquals("alpha", alone.path("model").asText());
            assertEquals(expected(c, "base"), complete(completion("lora", c, TOKENS)).at("/choices/0/text").asText(),
                    name + " without an adapter");
        }
    }

    @Test
    void anUnknownAdapterIsAModelNotFoundBeforeAdmission() {
        JsonNode c = GOLDEN.path("cases").get(0);
        double admitted = admissions();
        for (String model : List.of("lora:gamma", "gamma", "nobody:alpha", "lora:")) {
            authorized().body(completion(model, c, 2).toString()).post("/v1/completions").then().statusCode(404)
                    .body("error.code", org.hamcrest.Matchers.equalTo("model_not_found"))
                    .body("error.param", org.hamcrest.Matchers.equalTo("model"));
        }
        assertEquals(admitted, admissions(), "refused before asking for a slot");
    }

    private static double admissions() {
        return Prometheus.sum(Prometheus.scrape("/q/metrics"), "quiver_request_queue_seconds_count");
    }

    @Test
    void loadAndUnloadAreBehindTheKeyAndServeAsLoaded() {
        String load = JSON.createObjectNode().put("lora_name", "beta").put("lora_path", adapterFile("beta")
                .toString()).toString();
        given().contentType("application/json").body(load).post("/v1/load_lora_adapter").then().statusCode(401);
        authorized().body(load).post("/v1/load_lora_adapter").then().statusCode(200)
                .body(org.hamcrest.Matchers.equalTo("Success: LoRA adapter 'beta' added successfully."));
        try {
            JsonNode c = GOLDEN.path("cases").get(1);
            assertEquals(expected(c, "beta"), complete(completion("beta", c, TOKENS)).at("/choices/0/text").asText());
            JsonNode models = JSON.valueToTree(authorized().get("/v1/models").then().statusCode(200).extract()
                    .as(Object.class));
            int adapters = 0;
            for (JsonNode card : models.path("data")) {
                if (card.path("parent").asText().equals(LoraProfile.MODEL)) {
                    adapters++;
                }
            }
            assertEquals(2, adapters, "alpha and beta listed under their model: " + models);
            authorized().body(load).post("/v1/load_lora_adapter").then().statusCode(400)
                    .body("error.param", org.hamcrest.Matchers.equalTo("lora_name"));
        } finally {
            String unload = JSON.createObjectNode().put("lora_name", "beta").toString();
            given().contentType("application/json").body(unload).post("/v1/unload_lora_adapter").then()
                    .statusCode(401);
            authorized().body(unload).post("/v1/unload_lora_adapter").then().statusCode(200)
                    .body(org.hamcrest.Matchers.equalTo("Success: LoRA adapter 'beta' removed successfully."));
        }
        authorized().body(completion("beta", GOLDEN.path("cases").get(1), 2).toString()).post("/v1/completions")
                .then().statusCode(404);
        authorized().body("{\"lora_name\":\"beta\"}").post("/v1/unload_lora_adapter").then().statusCode(404)
                .body("error.code", org.hamcrest.Matchers.equalTo("lora_adapter_not_found"));
    }

    @Test
    void loadRefusesWhatItCannotServe() {
        String beta = adapterFile("beta").toString();
        assertRefused(JSON.createObjectNode().put("lora_name", "beta").put("lora_path", beta).put("bogus", 1),
                "bogus");
        assertRefused(JSON.createObjectNode().put("lora_name", "beta").put("lora_path", "adapters/beta.onnx_adapter"),
                "lora_path");
        assertRefused(JSON.createObjectNode().put("lora_name", "lora").put("lora_path", beta), "lora_name");
        assertRefused(JSON.createObjectNode().put("lora_name", "a:b").put("lora_path", beta), "lora_name");
        assertRefused(JSON.createObjectNode().put("lora_name", "x").put("lora_path",
                Fixtures.testModel(LoraProfile.FIXTURE).resolve("genai_config.json").toAbsolutePath().toString()),
                "lora_path");
        assertRefused(JSON.createObjectNode().put("lora_name", "x").put("lora_path", beta)
                .put("model", "tiny-random-deepseek-r1"), "lora_path");
        assertEquals(List.of("alpha"), engine().adapters().names(), "nothing was loaded");
    }

    private static void assertRefused(ObjectNode body, String param) {
        Response r = authorized().body(body.toString()).post("/v1/load_lora_adapter");
        assertEquals(400, r.statusCode(), r.asString());
        assertEquals(param, r.jsonPath().getString("error.param"), r.asString());
        assertEquals("invalid_request_error", r.jsonPath().getString("error.type"), r.asString());
    }

    @Test
    void anUnloadWhileARequestRunsLetsItFinish() throws Exception {
        JsonNode c = GOLDEN.path("cases").get(4);
        int tokens = engine().contextLength() - c.path("prompt_ids").size() - 1;
        CompletableFuture<Response> running = CompletableFuture.supplyAsync(() -> authorized()
                .body(completion("alpha", c, tokens).toString()).post("/v1/completions"));
        try {
            while (!engine().adapters().running().contains("alpha")) {
                assertTrue(!running.isDone(), "the request ended before it was seen running: "
                        + (running.isDone() ? running.join().asString() : ""));
                Thread.sleep(1);
            }
            assertTrue(loraInfo("running_lora_adapters=\"alpha\"").isPresent(), "the gateway's LoRA gauge shows it");
            authorized().body("{\"lora_name\":\"alpha\"}").post("/v1/unload_lora_adapter").then().statusCode(200);
            Response r = running.get();
            assertEquals(200, r.statusCode(), r.asString());
            assertEquals("length", r.jsonPath().getString("choices[0].finish_reason"));
            assertEquals(tokens, r.jsonPath().getInt("usage.completion_tokens"));
            authorized().body(completion("alpha", c, 2).toString()).post("/v1/completions").then().statusCode(404);
            assertEquals(List.of(), engine().adapters().running());
            assertTrue(loraInfo("running_lora_adapters=\"\"").isPresent(), "and no longer once it ended");
        } finally {
            if (!engine().adapters().contains("alpha")) {
                authorized().body(JSON.createObjectNode().put("lora_name", "alpha")
                        .put("lora_path", adapterFile("alpha").toString()).toString())
                        .post("/v1/load_lora_adapter").then().statusCode(200);
            }
        }
    }

    private static java.util.OptionalDouble loraInfo(String label) {
        return Prometheus.value(Prometheus.scrape("/q/metrics"), "quiver_lora_info", "model=\"" + LoraProfile.MODEL
                + "\"", "max_lora=\"8\"", label);
    }

    @Test
    void theEngineSaysWhatTheGatewayMetricsNeed() {
        ChatEngine engine = registry.resolve("alpha", Set.of(ModelKind.CHAT), "test").engine(ChatEngine.class);
        assertEquals(8, engine.adapters().max(), "max-adapters' default");
        assertEquals(List.of("alpha"), engine.adapters().names());
        assertEquals(List.of(), engine.adapters().waiting());
    }
}
