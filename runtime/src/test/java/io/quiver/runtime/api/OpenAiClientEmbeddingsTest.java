package io.quiver.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Ready;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java client, unmodified, against the running server. */
@QuarkusTest
class OpenAiClientEmbeddingsTest {
    @TestHTTPResource("/v1")
    URL base;

    private OpenAIClient client() {
        return OpenAIOkHttpClient.builder().baseUrl(base.toString()).apiKey("unused").maxRetries(0).build();
    }

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void createsEmbeddings() {
        CreateEmbeddingResponse response = client().embeddings().create(EmbeddingCreateParams.builder()
                .model("all-minilm-l6-v2").inputOfArrayOfStrings(List.of("first text", "second text")).build());
        assertEquals(2, response.data().size());
        assertEquals(384, response.data().get(0).embedding().size());
        assertEquals(1, response.data().get(1).index());
        double norm = response.data().get(0).embedding().stream().mapToDouble(x -> x * x).sum();
        assertEquals(1.0, norm, 1e-4);
        assertTrue(response.usage().promptTokens() > 0);
    }

    @Test
    void listsModelsAndReportsUnknownOnes() {
        var ids = client().models().list().data().stream().map(m -> m.id()).toList();
        assertTrue(ids.contains("all-minilm-l6-v2"), ids.toString());
        var error = assertThrows(NotFoundException.class, () -> client().embeddings().create(
                EmbeddingCreateParams.builder().model("missing-model").input("x").build()));
        assertTrue(error.getMessage().contains("missing-model"), error.getMessage());
    }
}
