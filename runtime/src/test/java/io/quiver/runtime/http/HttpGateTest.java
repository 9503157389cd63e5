package io.quiver.runtime.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.TightCapProfile;
import io.restassured.RestAssured;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gate on the wire, with a 256 KiB body limit and an API key: limits hold on the bytes actually sent (chunked
 * HTTP/1.1 and HTTP/2 without a length), and refusals end the exchange instead of reading the rest of the body.
 */
@QuarkusTest
@TestProfile(TightCapProfile.class)
class HttpGateTest {
    private static final String AUTH = "Authorization: Bearer " + TightCapProfile.KEY + "\r\n";
    private static final byte[] CHUNK = ("\"" + "x".repeat(64 * 1024 - 2) + "\"").getBytes(StandardCharsets.US_ASCII);

    @Inject
    Vertx vertx;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void aChunkedBodyPastTheLimitIs413AndTheConnectionCloses() throws Exception {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\n" + AUTH + "Content-Type: application/json"
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            int sent = writeChunksUntilRefused(out, 64);
            String response = readUntilClosed(socket.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 413"), response);
            assertTrue(response.contains("\"code\":\"request_too_large\"") && response.contains("262144"), response);
            assertTrue(sent < 64, "the server read all " + sent + " chunks (4 MiB) instead of refusing at 256 KiB");
        }
    }

    @Test
    void a401ClosesTheConnectionInsteadOfReadingTheBody() throws Exception {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/embeddings HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 200000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(CHUNK);
            String response = readUntilClosed(socket.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 401"), response);
            assertTrue(response.contains("\"code\":\"invalid_api_key\""), response);
        }
    }

    @Test
    void overHttp2ALargeBodyIs413AndA401IsAnAnswerNotAProtocolError() throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
                .setHttp2ClearTextUpgrade(false).setDefaultPort(RestAssured.port).setDefaultHost("localhost"));
        try {
            Answer tooLarge = post(client, true, 64, true);
            assertEquals(HttpVersion.HTTP_2, tooLarge.version);
            assertEquals(413, tooLarge.status, tooLarge.body);
            assertEquals("request_too_large", code(tooLarge));
            Answer unauthorized = post(client, false, 2, true);
            assertEquals(401, unauthorized.status, unauthorized.body);
            assertEquals("invalid_api_key", code(unauthorized));
            Answer unknownLength = post(client, true, 1, false);
            assertEquals(411, unknownLength.status, unknownLength.body);
            assertEquals("length_required", code(unknownLength));
            Answer small = post(client, true, 0, true);
            assertEquals(200, small.status, small.body);
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void requestsWithoutABodyPassOverHttp2UpgradedFromHttp1() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2).build();
        var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:"
                + RestAssured.port + "/v1/models")).header("Authorization", "Bearer " + TightCapProfile.KEY).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void onlyTheExactProbePathsAreOpen() {
        given().get("/health").then().statusCode(200);
        given().get("/metrics").then().statusCode(200);
        given().get("/health/").then().statusCode(401);
        given().get("/metrics/").then().statusCode(401);
        given().get("//health").then().statusCode(401);
    }

    private record Answer(HttpVersion version, int status, String body) {
    }

    private static String code(Answer answer) {
        return new JsonObject(answer.body).getJsonObject("error").getString("code");
    }

    /** POSTs an embeddings request padded with {@code chunks} 64 KiB strings, with its length or as a stream. */
    private static Answer post(HttpClient client, boolean withKey, int chunks, boolean withLength) throws Exception {
        Buffer body = Buffer.buffer("{\"model\":\"all-minilm-l6-v2\",\"input\":[\"hello\"");
        for (int i = 0; i < chunks; i++) {
            body.appendString(",").appendBytes(CHUNK);
        }
        body.appendString("]}");
        Future<Answer> answer = client.request(HttpMethod.POST, "/v1/embeddings").compose(request -> {
            request.putHeader("Content-Type", "application/json");
            if (withKey) {
                request.putHeader("Authorization", "Bearer " + TightCapProfile.KEY);
            }
            if (withLength) {
                request.putHeader("Content-Length", String.valueOf(body.length()));
            } else {
                request.setChunked(true);
            }
            request.end(body);
            return request.response().compose(r -> r.body().map(b -> answer(r, b)));
        });
        return answer.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static Answer answer(HttpClientResponse response, Buffer body) {
        return new Answer(response.version(), response.statusCode(), body.toString());
    }

    /** Sends up to {@code max} 64 KiB chunks of a JSON body; returns how many went out before the server closed. */
    private static int writeChunksUntilRefused(OutputStream out, int max) throws IOException {
        out.write("3\r\n{\"a\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < max; i++) {
            try {
                out.write((Integer.toHexString(CHUNK.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(CHUNK);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(20);
            } catch (SocketException | InterruptedException closed) {
                return i;
            }
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return max;
    }

    /** Everything the server sends until it closes the connection (a read timeout fails the test). */
    private static String readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                all.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // A reset after the answer is a close too.
        }
        return all.toString(StandardCharsets.UTF_8);
    }
}
