package io.quiver.runtime.api.chat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Malformed chat and completion requests: the right status, the parameter named, nothing left running. */
@QuarkusTest
class ChatBadInputTest {
    static final String USER = "[{\"role\":\"user\",\"content\":\"hi\"}]";

    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no messages            | /v1/chat/completions | {}                                                  | 400 | messages
            empty messages         | /v1/chat/completions | {"messages":[]}                                     | 400 | messages
            messages not an array  | /v1/chat/completions | {"messages":"hi"}                                   | 400 | messages
            unknown role           | /v1/chat/completions | {"messages":[{"role":"wizard","content":"x"}]}      | 400 | messages[0].role
            missing content        | /v1/chat/completions | {"messages":[{"role":"user"}]}                      | 400 | messages[0].content
            numeric content        | /v1/chat/completions | {"messages":[{"role":"user","content":5}]}          | 400 | messages[0].content
            image part             | /v1/chat/completions | {"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]} | 400 | messages[0].content
            n zero                 | /v1/chat/completions | {"messages":USER,"n":0}                             | 400 | n
            n negative             | /v1/chat/completions | {"messages":USER,"n":-1}                            | 400 | n
            n one above the cap    | /v1/chat/completions | {"messages":USER,"n":9}                             | 400 | n
            n above the batch      | /v1/chat/completions | {"messages":USER,"n":64}                            | 400 | n
            completions n above    | /v1/completions      | {"prompt":"hi","n":64}                              | 400 | n
            logprobs not a boolean | /v1/chat/completions | {"messages":USER,"logprobs":3}                      | 400 | logprobs
            top_logprobs alone     | /v1/chat/completions | {"messages":USER,"top_logprobs":2}                  | 400 | top_logprobs
            top_logprobs above 20  | /v1/chat/completions | {"messages":USER,"logprobs":true,"top_logprobs":21} | 400 | top_logprobs
            logit bias             | /v1/chat/completions | {"messages":USER,"logit_bias":{"5":10}}             | 400 | logit_bias
            negative temperature   | /v1/chat/completions | {"messages":USER,"temperature":-1}                  | 400 | temperature
            absurd temperature     | /v1/chat/completions | {"messages":USER,"temperature":50}                  | 400 | temperature
            top_p zero             | /v1/chat/completions | {"messages":USER,"top_p":0}                         | 400 | top_p
            min_p above one        | /v1/chat/completions | {"messages":USER,"min_p":2}                         | 400 | min_p
            zero max_tokens        | /v1/chat/completions | {"messages":USER,"max_tokens":0}                    | 400 | max_tokens
            negative completion    | /v1/chat/completions | {"messages":USER,"max_completion_tokens":-5}        | 400 | max_completion_tokens
            presence penalty       | /v1/chat/completions | {"messages":USER,"presence_penalty":3}              | 400 | presence_penalty
            stop of numbers        | /v1/chat/completions | {"messages":USER,"stop":[1,2]}                      | 400 | stop
            tool without a name    | /v1/chat/completions | {"messages":USER,"tools":[{"type":"function"}]}     | 400 | tools[0]
            response format type   | /v1/chat/completions | {"messages":USER,"response_format":{"type":"yaml"}}  | 400 | response_format
            embedding model        | /v1/chat/completions | {"model":"all-minilm-l6-v2","messages":USER}        | 400 | model
            unknown model          | /v1/chat/completions | {"model":"gpt-9","messages":USER}                   | 404 | model
            no prompt              | /v1/completions      | {}                                                  | 400 | prompt
            empty prompt           | /v1/completions      | {"prompt":""}                                       | 400 | prompt
            prompt object          | /v1/completions      | {"prompt":{"a":1}}                                  | 400 | prompt
            token out of vocab     | /v1/completions      | {"prompt":[1,2,99999999]}                           | 400 | prompt
            fractional token       | /v1/completions      | {"prompt":[1.5]}                                    | 400 | prompt
            logprobs above 5       | /v1/completions      | {"prompt":"hi","logprobs":6}                        | 400 | logprobs
            logprobs a boolean     | /v1/completions      | {"prompt":"hi","logprobs":true}                     | 400 | logprobs
            zero tokens, no echo   | /v1/completions      | {"prompt":"hi","max_tokens":0}                      | 400 | max_tokens
            negative tokens, echo  | /v1/completions      | {"prompt":"hi","echo":true,"max_tokens":-1}         | 400 | max_tokens
            best_of                | /v1/completions      | {"prompt":"hi","best_of":3}                         | 400 | best_of
            suffix                 | /v1/completions      | {"prompt":"hi","suffix":"end"}                      | 400 | suffix
            """)
    void refused(String name, String route, String body, int status, String param) {
        String json = body.replace("USER", USER);
        if (!json.contains("\"model\"")) {
            json = json.replaceFirst("\\{", "{\"model\":\"" + ChatRoutesTest.MODEL + "\",").replace(",}", "}");
        }
        given().contentType("application/json").body(json).post(route).then().statusCode(status)
                .body("error.param", equalTo(param));
        assertEquals(0, admission.running());
        assertEquals(0, admission.waiting());
    }
}
