package io.quiver.runtime.api.images;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quiver.runtime.Prometheus;
import io.quiver.runtime.Ready;
import io.quiver.runtime.admission.Admission;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code /v1/images/generations} on the random-weight Stable Diffusion fixture. */
@QuarkusTest
class ImagesRoutesTest {
    static final String MODEL = "tiny-random-sd";

    @Inject
    Admission admission;

    @BeforeEach
    void ready() {
        Ready.await();
    }

    static List<byte[]> generate(String body) {
        List<String> images = given().contentType("application/json").body(body).post("/v1/images/generations")
                .then().statusCode(200).extract().path("data.b64_json");
        return images.stream().map(Base64.getDecoder()::decode).toList();
    }

    static BufferedImage png(byte[] bytes) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void sizesCountAndPngs() throws IOException {
        List<byte[]> two = generate("""
                {"model":"tiny-random-sd","prompt":"a red fox","n":2,"size":"128x64","seed":3,
                 "num_inference_steps":2,"negative_prompt":"blurry","guidance_scale":5,"scheduler":"euler"}""");
        assertEquals(2, two.size());
        for (byte[] image : two) {
            BufferedImage decoded = png(image);
            assertEquals(128, decoded.getWidth());
            assertEquals(64, decoded.getHeight());
        }
        assertFalse(Arrays.equals(two.get(0), two.get(1)), "each image of a request has its own noise");
        BufferedImage fallback = png(generate("{\"prompt\":\"a cat\",\"num_inference_steps\":1}").getFirst());
        assertTrue(fallback.getWidth() >= 64 && fallback.getHeight() >= 64);
    }

    @Test
    void theSameSeedGivesTheSameBytes() {
        String body = "{\"prompt\":\"a lighthouse\",\"seed\":11,\"num_inference_steps\":3,\"scheduler\":\"%s\"}";
        for (String scheduler : List.of("pndm", "ddim", "euler")) {
            byte[] first = generate(body.formatted(scheduler)).getFirst();
            assertArrayEquals(first, generate(body.formatted(scheduler)).getFirst(), scheduler);
            assertFalse(Arrays.equals(first, generate(body.replace("11", "12").formatted(scheduler)).getFirst()));
        }
    }

    @Test
    void imageMetricsAreExported() {
        generate("{\"prompt\":\"a boat\",\"num_inference_steps\":2}");
        String metrics = Prometheus.scrape("/q/metrics");
        String model = "model=\"" + MODEL + "\"";
        assertTrue(Prometheus.require(metrics, "quiver_image_seconds_count", model) > 0);
        assertTrue(Prometheus.require(metrics, "quiver_denoising_steps_total", model) >= 2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no prompt         | {}                                                 | 400 | prompt
            blank prompt      | {"prompt":"  "}                                    | 400 | prompt
            size not WxH      | {"prompt":"x","size":"big"}                        | 400 | size
            size not multiple | {"prompt":"x","size":"100x100"}                    | 400 | size
            size too large    | {"prompt":"x","size":"4096x4096"}                  | 400 | size
            zero images       | {"prompt":"x","n":0}                               | 400 | n
            too many images   | {"prompt":"x","n":11}                              | 400 | n
            url format        | {"prompt":"x","response_format":"url"}             | 400 | response_format
            zero steps        | {"prompt":"x","num_inference_steps":0}             | 400 | num_inference_steps
            guidance negative | {"prompt":"x","guidance_scale":-1}                 | 400 | guidance_scale
            unknown scheduler | {"prompt":"x","scheduler":"magic"}                 | 400 | scheduler
            chat model        | {"prompt":"x","model":"tiny-random-deepseek-r1"}   | 400 | model
            """)
    void refused(String name, String body, int status, String param) {
        given().contentType("application/json").body(body).post("/v1/images/generations").then()
                .statusCode(status).body("error.param", equalTo(param));
        assertEquals(0, admission.running());
    }
}
