package io.quiver.runtime.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every refusal a request can earn, on every route, is answered before the request asks for a slot: it never waits
 * in the admission queue and never takes a slot. Admissions are counted by the queue-time histogram, which records
 * one sample per admitted request.
 */
@QuarkusTest
class RefusedBeforeAdmissionTest {
    private static final String CHAT = "/v1/chat/completions";
    private static final String HI = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
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
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"temperature":5} | 400 | temperature
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"top_k":-2} | 400 | top_k
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"n":0} | 400 | n
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"n":64} | 400 | n
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"logit_bias":{"5":1}} | 400 | logit_bias
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"stop":[1]} | 400 | stop
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"presence_penalty":3} | 400 | presence_penalty
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"max_tokens":0} | 400 | max_tokens
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"max_tokens":100000} | 400 | max_tokens
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1","messages":[]} | 400 | messages
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1","messages":[{"role":"user","content":"$LONG"}]} | 400 | messages
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":{"type":"string","maxLength":100000}}}} | 400 | response_format
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"structured_outputs":{"regex":"(a"}} | 400 | structured_outputs.regex
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"g"}}} | 400 | tool_choice
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1",$HI,"tools":[{"type":"function","function":{"name":"f"}}],"parallel_tool_calls":"sometimes"} | 400 | parallel_tool_calls
            /v1/chat/completions | {"model":"no-such-model",$HI} | 404 | model
            /v1/chat/completions | {"model":"tiny-random-deepseek-r1:no-such-adapter",$HI} | 404 | model
            /v1/chat/completions | {"model":"all-minilm-l6-v2",$HI} | 400 | model
            /v1/responses | {"model":"tiny-random-deepseek-r1","input":"hi","temperature":5} | 400 | temperature
            /v1/responses | {"model":"tiny-random-deepseek-r1","input":"hi","max_output_tokens":0} | 400 | max_output_tokens
            /v1/responses | {"model":"tiny-random-deepseek-r1","input":"hi","max_output_tokens":100000} | 400 | max_output_tokens
            /v1/responses | {"model":"tiny-random-deepseek-r1","input":"$LONG"} | 400 | input
            /v1/responses | {"model":"tiny-random-deepseek-r1","input":"hi","text":{"format":{"type":"json_schema","name":"s","schema":{"type":"string","maxLength":100000}}}} | 400 | text.format
            /v1/responses | {"model":"tiny-random-deepseek-r1","input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":"required","text":{"format":{"type":"json_object"}}} | 400 | tool_choice
            /v1/responses | {"model":"tiny-random-deepseek-r1","input":"hi","tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"function","name":"g"}} | 400 | tool_choice
            /v1/responses | {"model":"tiny-random-deepseek-r1","input":[{"type":"function_call_output","call_id":"c","output":"1"}]} | 400 | input[0].call_id
            /v1/responses | {"model":"tiny-random-deepseek-r1","input":"hi","previous_response_id":"resp_1"} | 400 | previous_response_id
            /v1/responses | {"model":"tiny-random-deepseek-r1","input":"hi","modalities":["text"]} | 400 | modalities
            /v1/responses | {"model":"no-such-model","input":"hi"} | 404 | model
            /v1/responses | {"model":"all-minilm-l6-v2","input":"hi"} | 400 | model
            /v1/completions | {"model":"tiny-random-deepseek-r1","prompt":""} | 400 | prompt
            /v1/completions | {"model":"tiny-random-deepseek-r1","prompt":[999999999]} | 400 | prompt
            /v1/completions | {"model":"tiny-random-deepseek-r1","prompt":"hi","best_of":2} | 400 | best_of
            /v1/completions | {"model":"tiny-random-deepseek-r1","prompt":"$LONG"} | 400 | prompt
            /v1/completions | {"model":"tiny-random-deepseek-r1","prompt":"hi","echo":true,"logprobs":9} | 400 | logprobs
            /v1/embeddings | {"model":"all-minilm-l6-v2","input":"a","encoding_format":"hex"} | 400 | encoding_format
            /v1/embeddings | {"model":"all-minilm-l6-v2","input":"a","dimensions":7} | 400 | dimensions
            /v1/embeddings | {"model":"all-minilm-l6-v2","input":"$LONG"} | 400 | input
            /v1/embeddings | {"model":"all-minilm-l6-v2","input":[]} | 400 | input
            /embed | {"inputs":"a","normalize":false} | 400 | normalize
            /embed | {"inputs":"$LONG"} | 400 | inputs
            /rerank | {"query":"","texts":["a"]} | 400 | query
            /v1/images/generations | {"model":"tiny-random-sd","prompt":"x","size":"big"} | 400 | size
            /v1/images/generations | {"model":"tiny-random-sd","prompt":"x","size":"4096x4096"} | 400 | size
            /v1/images/generations | {"model":"tiny-random-sd","prompt":"x","n":10,"num_inference_steps":500} | 400 | num_inference_steps
            /tokenize | {"model":"tiny-random-deepseek-r1","prompt":"$LONG"} | 400 | prompt
            /tokenize | {"model":"tiny-random-deepseek-r1","prompt":"a",$HI} | 400 | prompt
            /detokenize | {"model":"tiny-random-deepseek-r1","tokens":[-1]} | 400 | tokens
            """)
    void isAnsweredWithoutTakingASlot(String route, String body, int status, String param) {
        double before = admissions();
        Response response = given().contentType(ContentType.JSON)
                .body(body.replace("$HI", HI).replace("$LONG", LONG)).post(route);
        assertEquals(status, response.statusCode(), response.asString());
        assertEquals(param, response.jsonPath().getString("error.param"), response.asString());
        assertEquals(before, admissions(), "the refused request was admitted: " + route + " " + response.asString());
    }

    @Test
    void anAnsweredRequestCountsOneAdmission() {
        double before = admissions();
        given().contentType(ContentType.JSON).body("{\"model\":\"all-minilm-l6-v2\",\"input\":\"a\"}")
                .post("/v1/embeddings").then().statusCode(200);
        given().contentType(ContentType.JSON).body("{\"model\":\"tiny-random-deepseek-r1\"," + HI
                + ",\"max_tokens\":1}").post(CHAT).then().statusCode(200);
        assertEquals(before + 2, admissions(), "the counter these tests read counts admissions");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            io.quiver.chat.completion.request | {"model":"tiny-random-deepseek-r1","messages":[{"role":"user","content":"hi"}],"temperature":5}
            io.quiver.embedding.request | {"model":"all-minilm-l6-v2","input":"a","dimensions":7}
            """)
    void aCloudEventIsRefusedWithoutTakingASlotToo(String type, String body) {
        double before = admissions();
        Response response = given().contentType(ContentType.JSON).header("ce-specversion", "1.0")
                .header("ce-type", type).header("ce-source", "/tests").header("ce-id", UUID.randomUUID().toString())
                .body(body).post("/events");
        assertEquals(400, response.statusCode(), response.asString());
        assertTrue(response.asString().contains("error"), response.asString());
        assertEquals(before, admissions(), "the refused event was admitted: " + response.asString());
    }
}
