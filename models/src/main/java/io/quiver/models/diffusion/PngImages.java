package io.quiver.models.diffusion;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Decoder output → 8-bit RGB → PNG: {@code round(clip(x / 2 + 0.5, 0, 1) · 255)}, as diffusers' postprocess. */
final class PngImages {
    private PngImages() {
    }

    /** Interleaved RGB bytes of image {@code index} in a [batch, 3, H, W] float array. */
    static byte[] rgb(float[] chw, int index, int height, int width) {
        int plane = height * width;
        int base = index * 3 * plane;
        byte[] rgb = new byte[3 * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float v = chw[base + c * plane + p] / 2f + 0.5f;
                v = Math.max(0f, Math.min(1f, v));
                rgb[3 * p + c] = (byte) (int) Math.rint(v * 255f);
            }
        }
        return rgb;
    }

    static byte[] png(byte[] rgb, int height, int width) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = 3 * (y * width + x);
                image.setRGB(x, y, (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, "png", out)) {
                throw new IllegalStateException("no PNG writer in this JVM");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
