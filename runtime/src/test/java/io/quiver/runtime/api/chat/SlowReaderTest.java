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
import io.quiver.runtime.http.HttpGate;
import io.quiver.runtime.lifecycle.ModelRegistry;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Backpressure: a client that stops reading cannot keep its generation running into an unbounded queue, nor hold
 * its slots. Its stream is aborted once quiver.stream.buffer deltas wait unread (32 here), counted in a metric.
 */
@QuarkusTest
@TestProfile(StreamingProfile.class)
class SlowReaderTest {
    /** Two prompts (both slots of the cap) of 480 tokens: far more than the socket buffers hold. */
    static final String TWO_STREAMS = """
            {"model":"tiny-random-deepseek-r1","prompt":["Once upon a time","In a galaxy"],"max_tokens":480,
             "ignore_eos":true,"temperature":0,"stream":true}""";

    @TestHTTPResource("/")
    URL base;
    @Inject
    Admission admission;
    @Inject
    ModelRegistry registry;
    @Inject
    HttpGate gate;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static double aborted() {
        String metrics = Prometheus.scrape("/q/metrics");
        String model = "model=\"" + ChatRoutesTest.MODEL + "\"";
        return Prometheus.value(metrics, "quiver_streams_aborted_total", model, "reason=\"buffer_full\"").orElse(0)
                + Prometheus.value(metrics, "quiver_streams_aborted_total", model, "reason=\"stalled\"").orElse(0);
    }

    @Test
    void aClientThatStopsReadingIsAbortedAndFreesItsSlots() throws Exception {
        double abortedBefore = aborted();
        double tokensBefore = StreamDisconnectTest.generatedTokens();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(1024);
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()));
            byte[] body = TWO_STREAMS.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            StreamDisconnectTest.await(() -> admission.running() == 1, "the stream started");
            // The client never reads, and keeps its connection open.
            StreamDisconnectTest.await(() -> admission.running() == 0 && engine().running() == 0,
                    "slots and batch rows freed while the client still holds its connection");
            StreamDisconnectTest.await(() -> gate.exchanges() == 0, "the exchange ended (a drain would wait for it)");
        }
        assertTrue(aborted() > abortedBefore, "the abort is counted");
        double generated = StreamDisconnectTest.generatedTokens() - tokensBefore;
        assertTrue(generated < 2 * 480, "the generation stopped early, at " + generated + " tokens");
        assertEquals(0, admission.waiting());
    }

    ChatEngine engine() {
        return registry.resolve(ChatRoutesTest.MODEL, Set.of(ModelKind.CHAT), "test").engine(ChatEngine.class);
    }
}
