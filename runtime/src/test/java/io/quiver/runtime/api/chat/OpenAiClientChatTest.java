package io.quiver.runtime.api.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java client, unmodified, chatting with the running server. */
@QuarkusTest
class OpenAiClientChatTest {
    @TestHTTPResource("/v1")
    URL base;

    OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(base.toString()).apiKey("unused").maxRetries(0).build();
    }

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static ChatCompletionCreateParams greedy(String model, int tokens) {
        return ChatCompletionCreateParams.builder().model(model).addSystemMessage("You are a helpful assistant.")
                .addUserMessage("What is 2 + 2?").temperature(0.0).maxCompletionTokens(tokens)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build();
    }

    @Test
    void streamingAndNonStreamingChatAgree() {
        ChatCompletion whole = client().chat().completions().create(greedy(ChatRoutesTest.MODEL, 20));
        String content = whole.choices().getFirst().message().content().orElseThrow();
        assertFalse(content.isEmpty());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, whole.choices().getFirst().finishReason());
        assertEquals(20, whole.usage().orElseThrow().completionTokens());

        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions()
                .createStreaming(greedy(ChatRoutesTest.MODEL, 20))) {
            stream.stream().forEach(chunks::add);
        }
        StringBuilder streamed = new StringBuilder();
        chunks.forEach(c -> c.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append)));
        assertEquals(content, streamed.toString());
        assertEquals(ChatCompletionChunk.Choice.FinishReason.LENGTH,
                chunks.getLast().choices().getFirst().finishReason().orElseThrow());
    }

    @Test
    void reasoningReachesTheClient() {
        ChatCompletion answer = client().chat().completions().create(greedy("r1-think", 8));
        JsonValue reasoning = answer.choices().getFirst().message()._additionalProperties().get("reasoning");
        assertTrue(reasoning != null && !reasoning.toString().isEmpty(), String.valueOf(reasoning));
    }

    @Test
    void legacyCompletions() {
        Completion completion = client().completions().create(CompletionCreateParams.builder()
                .model(ChatRoutesTest.MODEL).prompt("Once upon a time").maxTokens(6).temperature(0.0)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build());
        assertEquals(1, completion.choices().size());
        assertFalse(completion.choices().getFirst().text().isEmpty());
        assertEquals(6, completion.usage().orElseThrow().completionTokens());
    }

    @Test
    void logprobsReachTheClientStreamingAndNot() {
        ChatCompletionCreateParams params = greedy(ChatRoutesTest.MODEL, 6).toBuilder().logprobs(true).topLogprobs(3)
                .build();
        ChatCompletion whole = client().chat().completions().create(params);
        var content = whole.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertEquals(6, content.size());
        for (var token : content) {
            assertTrue(token.logprob() <= 0, "a log probability: " + token.logprob());
            assertEquals(3, token.topLogprobs().size());
            assertTrue(token.logprob() <= token.topLogprobs().getFirst().logprob() + 1e-6);
        }
        List<Double> streamed = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
            stream.stream().forEach(c -> c.choices().forEach(choice -> choice.logprobs().flatMap(
                    ChatCompletionChunk.Choice.Logprobs::content).ifPresent(l -> l.forEach(t -> streamed.add(
                    t.logprob())))));
        }
        assertEquals(content.stream().map(t -> t.logprob()).toList(), streamed);

        Completion echoed = client().completions().create(CompletionCreateParams.builder()
                .model(ChatRoutesTest.MODEL).prompt("Once upon a time").maxTokens(0).logprobs(2).echo(true).build());
        var scored = echoed.choices().getFirst().logprobs().orElseThrow();
        assertTrue(scored.tokenLogprobs().orElseThrow().size() > 1);
        assertEquals("Once upon a time", echoed.choices().getFirst().text());
    }

    @Test
    void twoChoicesReachTheClientStreamingAndNot() {
        ChatCompletionCreateParams params = greedy(ChatRoutesTest.MODEL, 5).toBuilder().n(2).temperature(1.0)
                .seed(5L).build();
        ChatCompletion whole = client().chat().completions().create(params);
        assertEquals(2, whole.choices().size());
        assertEquals(List.of(0L, 1L), whole.choices().stream().map(ChatCompletion.Choice::index).toList());
        assertEquals(10, whole.usage().orElseThrow().completionTokens());
        StringBuilder[] streamed = {new StringBuilder(), new StringBuilder()};
        try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions().createStreaming(params)) {
            stream.stream().forEach(c -> c.choices().forEach(choice -> choice.delta().content()
                    .ifPresent(streamed[(int) choice.index()]::append)));
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(whole.choices().get(i).message().content().orElseThrow(), streamed[i].toString());
        }
    }

    @Test
    void jsonSchemaResponseFormatFromTheClient() throws Exception {
        var schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(java.util.Map.of(
                        "answer", java.util.Map.of("type", "integer", "minimum", 0, "maximum", 99))))
                .putAdditionalProperty("required", JsonValue.from(List.of("answer")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false)).build();
        ChatCompletionCreateParams params = greedy(ChatRoutesTest.MODEL, 40).toBuilder()
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(false))
                .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema
                        .builder().name("sum").strict(true).schema(schema).build()).build()).build();
        String content = client().chat().completions().create(params).choices().getFirst().message().content()
                .orElseThrow();
        var answer = new com.fasterxml.jackson.databind.ObjectMapper().readTree(content);
        assertTrue(answer.get("answer").isInt() && answer.size() == 1, content);
    }

    @Test
    void toolRoundTripFromTheClient() {
        var parameters = com.openai.models.FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(java.util.Map.of(
                        "city", java.util.Map.of("type", "string", "maxLength", 8))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city"))).build();
        var weather = com.openai.models.chat.completions.ChatCompletionFunctionTool.builder()
                .function(com.openai.models.FunctionDefinition.builder().name("weather").parameters(parameters)
                        .build()).build();
        ChatCompletionCreateParams ask = ChatCompletionCreateParams.builder().model(ChatRoutesTest.MODEL)
                .addUserMessage("Weather in Paris?").addTool(weather).maxCompletionTokens(300).temperature(1.0)
                .seed(3L).toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.REQUIRED)
                .build();
        ChatCompletion first = client().chat().completions().create(ask);
        var choice = first.choices().getFirst();
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        var call = choice.message().toolCalls().orElseThrow().getFirst().asFunction();
        assertEquals("weather", call.function().name());
        assertTrue(call.function().arguments().contains("\"city\""), call.function().arguments());

        ChatCompletion answer = client().chat().completions().create(ask.toBuilder()
                .addMessage(choice.message())
                .addMessage(com.openai.models.chat.completions.ChatCompletionToolMessageParam.builder()
                        .toolCallId(call.id()).content("18 C").build())
                .toolChoice(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.NONE)
                .maxCompletionTokens(4).build());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, answer.choices().getFirst().finishReason());
        assertTrue(answer.choices().getFirst().message().content().isPresent());
    }

    @Test
    void unsupportedBestOfIsAClear400() {
        var error = assertThrows(BadRequestException.class, () -> client().completions().create(
                CompletionCreateParams.builder().model(ChatRoutesTest.MODEL).prompt("Once").maxTokens(2).bestOf(3)
                        .build()));
        assertTrue(error.getMessage().contains("best_of"), error.getMessage());
    }
}
