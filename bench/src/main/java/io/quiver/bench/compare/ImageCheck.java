package io.quiver.bench.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;

/**
 * Before an images comparison is timed: both servers must answer the same request with one PNG of the size asked
 * for, and Quiver's denoising-step counter shows how many UNet evaluations that image took, so the report can say
 * both sides did the same work rather than assume it.
 */
final class ImageCheck {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static final String STEPS_METER = "quiver_denoising_steps_total";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** Width and height from a PNG's header chunk. */
    record Size(int width, int height) {
        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    /** The size of the one PNG a server returns for {@code body}; IOException naming what was wrong otherwise. */
    Size image(URI base, String body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/v1/images/generations"))
                .timeout(Duration.ofMinutes(2)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("HTTP " + response.statusCode() + ": " + response.body());
        }
        JsonNode data = JSON.readTree(response.body()).path("data");
        if (data.size() != 1 || !data.get(0).path("b64_json").isTextual()) {
            throw new IOException("expected one b64_json image, got " + data.size() + " entries");
        }
        return pngSize(Base64.getDecoder().decode(data.get(0).path("b64_json").asText()));
    }

    /** Quiver's running total of UNet evaluations for {@code model}, from its Prometheus page. */
    double quiverSteps(URI base, String model) throws IOException, InterruptedException {
        String page = http.send(HttpRequest.newBuilder(base.resolve("/q/metrics")).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        return stepsIn(page, model);
    }

    static double stepsIn(String prometheusPage, String model) {
        return prometheusPage.lines()
                .filter(l -> l.startsWith(STEPS_METER + "{") && l.contains("model=\"" + model + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    static Size pngSize(byte[] png) throws IOException {
        if (png.length < 24 || !Arrays.equals(png, 0, 8, SIGNATURE, 0, 8)
                || !new String(png, 12, 4, StandardCharsets.US_ASCII).equals("IHDR")) {
            throw new IOException("not a PNG (" + png.length + " bytes)");
        }
        ByteBuffer header = ByteBuffer.wrap(png, 16, 8);
        return new Size(header.getInt(), header.getInt());
    }
}
