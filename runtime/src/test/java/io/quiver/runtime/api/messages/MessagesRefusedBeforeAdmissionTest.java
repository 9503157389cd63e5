package io.quiver.runtime.api.messages;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every refusal the Messages routes can earn is answered in Anthropic's error shape, with the status and type
 * Anthropic documents, before the request asks for a slot (as {@code RefusedBeforeAdmissionTest} checks for the
 * OpenAI routes, whose error shape differs): admissions are counted by the queue-time histogram.
 */
@QuarkusTest
class MessagesRefusedBeforeAdmissionTest {
    private static final String M = "\"model\":\"tiny-random-deepseek-r1\"";
    private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final String TOOL = "{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}";
    private static final String LONG = "x ".repeat(40_000);

    @BeforeEach
    void ready() {
        Ready.await();
    }

    private static double admissions() {
        return Prometheus.sum(Prometheus.scrape("/q/metrics"), "quiver_request_queue_seconds_count");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            /v1/messages | {$M,$HI} | 400 | invalid_request_error | max_tokens: Field required
            /v1/messages | {$M,$HI,"max_tokens":0} | 400 | invalid_request_error | max_tokens
            /v1/messages | {$M,$HI,"max_tokens":100000} | 400 | invalid_request_error | max_tokens
            /v1/messages | {$M,$HI,"max_tokens":"ten"} | 400 | invalid_request_error | max_tokens
            /v1/messages | {$M,$HI,"max_tokens":5,"temperature":1.5} | 400 | invalid_request_error | temperature
            /v1/messages | {$M,$HI,"max_tokens":5,"top_p":2} | 400 | invalid_request_error | top_p
            /v1/messages | {$M,$HI,"max_tokens":5,"top_k":-1} | 400 | invalid_request_error | top_k
            /v1/messages | {$M,$HI,"max_tokens":5,"stop_sequences":[""]} | 400 | invalid_request_error | stop_sequences
            /v1/messages | {$M,$HI,"max_tokens":5,"stop_sequences":"x"} | 400 | invalid_request_error | stop_sequences
            /v1/messages | {$M,$HI,"max_tokens":5,"frequency_penalty":1} | 400 | invalid_request_error | frequency_penalty: not supported
            /v1/messages | {$M,$HI,"max_tokens":5,"mcp_servers":[]} | 400 | invalid_request_error | mcp_servers: not supported
            /v1/messages | {$M,$HI,"max_tokens":5,"metadata":{"user":"x"}} | 400 | invalid_request_error | metadata
            /v1/messages | {$M,$HI,"max_tokens":5,"thinking":{"type":"enabled"}} | 400 | invalid_request_error | thinking.budget_tokens
            /v1/messages | {$M,$HI,"max_tokens":5,"thinking":{"type":"enabled","budget_tokens":5}} | 400 | invalid_request_error | less than max_tokens
            /v1/messages | {$M,$HI,"max_tokens":5,"thinking":{"type":"sometimes"}} | 400 | invalid_request_error | thinking.type
            /v1/messages | {$M,$HI,"max_tokens":5,"output_config":{"effort":"high"}} | 400 | invalid_request_error | output_config.effort
            /v1/messages | {$M,$HI,"max_tokens":5,"output_config":{"format":{"type":"text"}}} | 400 | invalid_request_error | output_config.format
            /v1/messages | {$M,$HI,"max_tokens":5,"output_config":{"format":{"type":"json_schema","schema":{"type":"string","pattern":"a+"}}}} | 400 | invalid_request_error | output_config.format.schema
            /v1/messages | {$M,$HI,"max_tokens":5,"output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}},"tools":[$TOOL],"tool_choice":{"type":"any"}} | 400 | invalid_request_error | tool_choice
            /v1/messages | {$M,"max_tokens":5,"messages":[]} | 400 | invalid_request_error | messages
            /v1/messages | {$M,"max_tokens":5,"messages":[{"role":"tool","content":"x"}]} | 400 | invalid_request_error | messages.0.role
            /v1/messages | {$M,"max_tokens":5,"messages":[{"role":"user","content":"x","name":"n"}]} | 400 | invalid_request_error | messages.0.name
            /v1/messages | {$M,"max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AA=="}}]}]} | 400 | invalid_request_error | messages.0.content.0: image blocks are not supported
            /v1/messages | {$M,"max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image"}]}]}]} | 400 | invalid_request_error | messages.0.content.0.content.0: image
            /v1/messages | {$M,"max_tokens":5,"messages":[{"role":"user","content":[{"type":"document"}]}]} | 400 | invalid_request_error | document blocks
            /v1/messages | {$M,"max_tokens":5,"messages":[{"role":"user","content":"a"},{"role":"assistant","content":"The answer is"}]} | 400 | invalid_request_error | prefill
            /v1/messages | {$M,"max_tokens":5,"messages":[{"role":"user","content":"$LONG"}]} | 400 | invalid_request_error | context length
            /v1/messages | {$M,$HI,"max_tokens":5,"system":[{"type":"image"}]} | 400 | invalid_request_error | system.0
            /v1/messages | {$M,$HI,"max_tokens":5,"tools":[{"type":"web_search_20250305","name":"web_search"}]} | 400 | invalid_request_error | server tool
            /v1/messages | {$M,$HI,"max_tokens":5,"tools":[{"name":"f"}]} | 400 | invalid_request_error | tools.0.input_schema
            /v1/messages | {$M,$HI,"max_tokens":5,"tools":[$TOOL],"tool_choice":{"type":"tool","name":"g"}} | 400 | invalid_request_error | tool_choice
            /v1/messages | {$M,$HI,"max_tokens":5,"tool_choice":{"type":"any"}} | 400 | invalid_request_error | tool_choice
            /v1/messages | {$M,$HI,"max_tokens":5,"tools":[$TOOL],"tool_choice":{"type":"sometimes"}} | 400 | invalid_request_error | tool_choice.type
            /v1/messages | {"model":"no-such-model",$HI,"max_tokens":5} | 404 | not_found_error | no-such-model
            /v1/messages | {"model":"all-minilm-l6-v2",$HI,"max_tokens":5} | 400 | invalid_request_error | all-minilm-l6-v2
            /v1/messages | [1] | 400 | invalid_request_error | JSON object
            /v1/messages | {"model": | 400 | invalid_request_error | Invalid JSON
            /v1/messages/count_tokens | {$M,$HI,"max_tokens":5} | 400 | invalid_request_error | max_tokens: not supported
            /v1/messages/count_tokens | {$M,"messages":[{"role":"user","content":"$LONG"}]} | 400 | invalid_request_error | context length
            /v1/messages/count_tokens | {"model":"no-such-model",$HI} | 404 | not_found_error | no-such-model
            /v1/messages/batches | {$M,$HI,"max_tokens":5} | 404 | not_found_error | Unknown route
            """)
    void isAnsweredInAnthropicsShapeWithoutTakingASlot(String route, String body, int status, String type,
                                                       String names) {
        double before = admissions();
        Response response = given().contentType(ContentType.JSON).body(body.replace("$M", M).replace("$HI", HI)
                .replace("$TOOL", TOOL).replace("$LONG", LONG)).post(route);
        String answer = response.asString();
        assertEquals(status, response.statusCode(), answer);
        assertEquals("error", response.jsonPath().getString("type"), answer);
        assertEquals(type, response.jsonPath().getString("error.type"), answer);
        assertTrue(response.jsonPath().getString("error.message").contains(names), answer);
        assertEquals(before, admissions(), "the refused request was admitted: " + route + " " + answer);
    }

    @Test
    void aWrongContentTypeIsRefusedInAnthropicsShape() {
        Response response = given().contentType(ContentType.TEXT).body("{}").post("/v1/messages");
        assertEquals(400, response.statusCode(), response.asString());
        assertEquals("invalid_request_error", response.jsonPath().getString("error.type"), response.asString());
    }
}
