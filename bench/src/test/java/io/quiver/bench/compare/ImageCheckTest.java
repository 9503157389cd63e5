package io.quiver.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** What the images comparison checks before it times anything: PNG sizes, and Quiver's UNet evaluation count. */
class ImageCheckTest {

    @Test
    void readsWidthAndHeightFromThePngHeader() throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(128, 64, BufferedImage.TYPE_INT_RGB), "png", png);
        assertEquals(new ImageCheck.Size(128, 64), ImageCheck.pngSize(png.toByteArray()));
        assertEquals("128x64", ImageCheck.pngSize(png.toByteArray()).toString());
    }

    @Test
    void somethingElseIsNotAPng() {
        assertThrows(IOException.class, () -> ImageCheck.pngSize("GIF89a, twenty-four bytes.".getBytes()));
        assertThrows(IOException.class, () -> ImageCheck.pngSize(new byte[3]));
    }

    @Test
    void stepsAreTheModelsCounterSummedOverItsSeries() {
        String page = """
                # HELP quiver_denoising_steps_total Denoising steps (UNet evaluations) run
                # TYPE quiver_denoising_steps_total counter
                quiver_denoising_steps_total{model="tiny-random-sd",revision="local"} 52.0
                quiver_denoising_steps_total{model="other",revision="local"} 7.0
                quiver_image_seconds_count{model="tiny-random-sd",revision="local"} 2
                """;
        assertEquals(52.0, ImageCheck.stepsIn(page, "tiny-random-sd"));
        assertEquals(0.0, ImageCheck.stepsIn(page, "absent"));
    }
}
