package io.quiver.runtime.api.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.models.ModelKind;
import io.quiver.models.chat.ChatEngine;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import io.quiver.runtime.lifecycle.ModelRegistry;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Clients that go away mid-stream or while queued free their slot, and their work stops. */
@QuarkusTest
@TestProfile(StreamingProfile.class)
class StreamDisconnectTest {
    static final String LONG_STREAM = """
            {"model":"tiny-random-deepseek-r1","messages":[{"role":"user","content":"Tell me a story"}],
             "stream":true,"max_tokens":450,"ignore_eos":true,"temperature":0}""";

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

    /** A raw HTTP/1.1 request on its own socket, so the test decides exactly when the connection drops. */
    Socket send(String path, String body) throws Exception {
        Socket socket = new Socket(base.getHost(), base.getPort());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return socket;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void keepAliveCommentsSitBetweenChunks() throws Exception {
        StringBuilder stream = new StringBuilder();
        try (Socket socket = send("/v1/chat/completions", LONG_STREAM);
             BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                     StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null && !line.equals("data: [DONE]"); line = in.readLine()) {
                stream.append(line).append('\n');
            }
        }
        assertTrue(stream.toString().contains("\n: keep-alive\n"), "no keep-alive comment in the stream");
        assertEquals("length", SseEvents.parse(stream.toString()).getLast().at("/choices/0/finish_reason")
                .asText());
    }

    @Test
    void droppingAStreamFreesTheSlotAndStopsTheGeneration() throws Exception {
        double tokensBefore = generatedTokens();
        try (Socket socket = send("/v1/chat/completions", LONG_STREAM)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            int chunks = 0;
            while (chunks < 3) {
                if (in.readLine().startsWith("data: ")) {
                    chunks++;
                }
            }
            assertEquals(1, admission.running());
        }
        await(() -> admission.running() == 0 && engine().running() == 0, "slot and batch row freed");
        assertTrue(generatedTokens() - tokensBefore < 450, "the generation ran to its end after the client left");
        assertTrue(Prometheus.require(Prometheus.scrape("/q/metrics"), "quiver_requests_total",
                "route=\"chat\"", "status=\"499\"") >= 1);
    }

    @Test
    void droppingQueuedAndRunningRequestsFreesEverything() throws Exception {
        // Two large image requests hold both slots (the second waits for the diffusion worker).
        String slowImage = """
                {"model":"tiny-random-sd","prompt":"x","size":"128x128","n":10,"num_inference_steps":200}""";
        Socket first = send("/v1/images/generations", slowImage);
        Socket second = send("/v1/images/generations", slowImage);
        await(() -> admission.running() == 2, "both slots taken");
        try (Socket queued = send("/v1/chat/completions", LONG_STREAM)) {
            await(() -> admission.waiting() == 1, "third request queued");
        }
        await(() -> admission.waiting() == 0, "queued request gone");
        assertEquals(2, admission.running(), "the image requests should still be running");
        first.close();
        second.close();
        await(() -> admission.running() == 0, "image generations cancelled, slots free");
        String metrics = Prometheus.scrape("/q/metrics");
        assertTrue(Prometheus.require(metrics, "quiver_requests_rejected_total", "reason=\"client_gone\"") >= 1);
        assertTrue(Prometheus.require(metrics, "quiver_requests_total", "route=\"images\"", "status=\"499\"")
                >= 2);
    }

    @Test
    void manyDroppedStreamsLeakNoThreadsOrSlots() throws Exception {
        int threadsBefore = Thread.activeCount();
        for (int i = 0; i < 200; i++) {
            try (Socket socket = send("/v1/chat/completions", LONG_STREAM)) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                while (!in.readLine().startsWith("data: ")) {
                    // headers
                }
            }
        }
        await(() -> admission.running() == 0 && admission.waiting() == 0 && engine().running() == 0
                && engine().kvCacheUsage() == 0, "every dropped stream released");
        assertTrue(Thread.activeCount() <= threadsBefore + 8, "threads grew from " + threadsBefore + " to "
                + Thread.activeCount());
    }

    static double generatedTokens() {
        return Prometheus.value(Prometheus.scrape("/q/metrics"), "quiver_generation_tokens_total",
                "model=\"" + ChatRoutesTest.MODEL + "\"").orElse(0);
    }
}
