package dev.saekit.dashboard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Rows and atoms drawn as small PNG images, inlined as data URIs so a page needs no other file. */
final class Images {
    /** Pixels per value, so that a 28 x 28 row is a readable thumbnail. */
    static final int ZOOM = 2;

    private Images() {}

    /** A row's values as grey levels, its smallest black and its largest white. */
    static String rowUri(float[] values, int h, int w) {
        check(values, h, w);
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        float span = hi > lo ? hi - lo : 1;
        int[] rgb = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            int g = Math.round(255 * (values[i] - lo) / span);
            rgb[i] = (g << 16) | (g << 8) | g;
        }
        return uri(rgb, h, w);
    }

    /** An atom's values on a diverging scale: negative blue, zero white, positive red, by the largest magnitude. */
    static String atomUri(float[] values, int h, int w) {
        check(values, h, w);
        float scale = 0;
        for (float v : values) {
            scale = Math.max(scale, Math.abs(v));
        }
        int[] rgb = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            float t = scale > 0 ? values[i] / scale : 0;
            int fade = Math.round(255 * (1 - Math.abs(t)));
            rgb[i] = t >= 0 ? (255 << 16) | (fade << 8) | fade : (fade << 16) | (fade << 8) | 255;
        }
        return uri(rgb, h, w);
    }

    private static void check(float[] values, int h, int w) {
        if (values.length != h * w) {
            throw new IllegalArgumentException("a " + h + "x" + w + " image needs " + (h * w) + " values, the row has "
                    + values.length + ": give the data's image shape");
        }
    }

    private static String uri(int[] rgb, int h, int w) {
        BufferedImage image = new BufferedImage(w * ZOOM, h * ZOOM, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h * ZOOM; y++) {
            for (int x = 0; x < w * ZOOM; x++) {
                image.setRGB(x, y, rgb[(y / ZOOM) * w + x / ZOOM]);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }
}
