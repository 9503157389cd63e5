package io.quiver.runtime.api.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.lifecycle.ModelRegistry;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A grammar compiles before its request asks for a slot, on the model's own compile thread: while it compiles the
 * request holds no slot, other requests keep their pace, a client that leaves stops it, and identical requests at
 * once share one compile.
 */
@QuarkusTest
@TestProfile(SlowGrammarProfile.class)
class GrammarCompileRoutesTest {
    @TestHTTPResource("/")
    URL base;
    @Inject
    Admission admission;
    @Inject
    ModelRegistry registry;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    ChatEngine engine() {
        return registry.resolve(ChatRoutesTest.MODEL, Set.of(ModelKind.CHAT), "test").engine(ChatEngine.class);
    }

    /** A completion constrained to a regex whose automaton has 2^(n+1) states: seconds of compiling for n = 17. */
    static String slow(char letter, int n) {
        return "{\"model\":\"" + ChatRoutesTest.MODEL + "\",\"prompt\":\"hi\",\"max_tokens\":1,\"structured_outputs\":"
                + "{\"regex\":\"(a|" + letter + ")*a(a|" + letter + "){" + n + "}\"}}";
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(base + path.substring(1))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void aClientThatLeavesWhileItsGrammarCompilesStopsTheCompileAndHeldNoSlot() throws Exception {
        int kept = engine().grammars().cached();
        byte[] body = slow('b', 18).getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            StreamDisconnectTest.await(() -> engine().grammars().compiling() == 1, "compiling");
            assertEquals(0, admission.running(), "a compiling request holds no slot");
        }
        StreamDisconnectTest.await(() -> engine().grammars().compiling() == 0, "the compile stopped");
        assertEquals(kept, engine().grammars().cached(), "it stopped before it finished");
        assertEquals(0, admission.running());
    }

    @Test
    void identicalRequestsAtOnceShareOneCompile() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long before = engine().grammars().compiled();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sent.add(http.sendAsync(post("/v1/completions", slow('c', 15)), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            assertEquals(200, f.get().statusCode(), f.get().body());
        }
        assertEquals(before + 1, engine().grammars().compiled(), "one compile for three requests");
    }

    @Test
    void smallRequestsKeepTheirPaceWhileLongCompilesRun() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String embedding = "{\"model\":\"all-minilm-l6-v2\",\"input\":\"one word\"}";
        String small = "{\"model\":\"" + ChatRoutesTest.MODEL + "\",\"messages\":" + ChatBadInputTest.USER
                + ",\"max_tokens\":2}";
        // The baseline runs beside a thread that keeps one core busy, as a compile thread does: what the ratio then
        // measures is waiting on the compile, not sharing the CPU with it.
        long idleEmbedding;
        long idleChat;
        try (BusyCore busy = new BusyCore()) {
            idleEmbedding = medianMillis(http, "/v1/embeddings", embedding, 15, false);
            idleChat = medianMillis(http, "/v1/chat/completions", small, 15, false);
        }
        long t0 = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> compiling = new ArrayList<>();
        for (char letter : new char[] {'d', 'e', 'f'}) {
            compiling.add(http.sendAsync(post("/v1/completions", slow(letter, 17)),
                    HttpResponse.BodyHandlers.ofString()));
        }
        StreamDisconnectTest.await(() -> engine().grammars().compiling() > 0, "compiling");
        long loadedEmbedding = medianMillis(http, "/v1/embeddings", embedding, 9, true);
        long loadedChat = medianMillis(http, "/v1/chat/completions", small, 9, true);
        CompletableFuture.anyOf(compiling.toArray(CompletableFuture[]::new)).join();
        long firstCompile = (System.nanoTime() - t0) / 1_000_000;
        for (CompletableFuture<HttpResponse<String>> f : compiling) {
            assertEquals(200, f.get().statusCode(), f.get().body());
        }
        System.out.printf("beside long compiles (the first done in %d ms): embedding %d ms idle, %d ms loaded; chat "
                + "%d ms idle, %d ms loaded%n", firstCompile, idleEmbedding, loadedEmbedding, idleChat, loadedChat);
        // Waiting on a compile would cost about a compile; sharing a busy machine costs a few idle requests. The
        // bound is the larger of the two margins, so a machine busy with other work does not fail it.
        long embeddingBound = Math.max(4 * Math.max(idleEmbedding, 10), firstCompile / 8);
        long chatBound = Math.max(4 * Math.max(idleChat, 10), firstCompile / 8);
        assertTrue(loadedEmbedding <= embeddingBound, "embedding: idle " + idleEmbedding + " ms, loaded "
                + loadedEmbedding + " ms, first compile " + firstCompile + " ms");
        assertTrue(loadedChat <= chatBound, "chat: idle " + idleChat + " ms, loaded " + loadedChat
                + " ms, first compile " + firstCompile + " ms");
    }

    /** The median of {@code n} requests; with {@code whileCompiling}, each one sent while a compile runs. */
    private long medianMillis(HttpClient http, String path, String body, int n, boolean whileCompiling)
            throws Exception {
        long[] millis = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = http.send(post(path, body), HttpResponse.BodyHandlers.ofString());
            millis[i] = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, r.statusCode(), r.body());
            if (whileCompiling) {
                assertTrue(engine().grammars().compiling() > 0, "request " + i + " ran beside a compile");
            }
        }
        Arrays.sort(millis);
        return millis[n / 2];
    }
}
