package dev.saekit.onnx.ocr;

import dev.saekit.onnx.FloatTensor;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.Arrays;
import java.util.List;

/**
 * Draws a line of text the way the recogniser expects a cropped text line: 48 pixels high, black
 * on white, the width padded up to a multiple of 8 (the model emits one timestep per 8 columns).
 * Uses DejaVu Sans when the system has it ({@code fonts-dejavu-core}), else Java's logical
 * {@code SansSerif} font.
 */
public final class TextLineRenderer {
    /** The model's input height. */
    public static final int HEIGHT = 48;
    /** Columns per output timestep. */
    public static final int STRIDE = 8;

    private static final String PREFERRED_FONT = "DejaVu Sans";
    private static final int MARGIN = 8;

    private final Font font;

    /**
     * A renderer whose font size (the em) is {@code fontPixels}; at 32 (the default) the text fills
     * most of the 48 rows, as in the crops PaddleOCR's recogniser is trained on.
     */
    public TextLineRenderer(int fontPixels) {
        if (fontPixels < 8 || fontPixels > HEIGHT) {
            throw new IllegalArgumentException("fontPixels must be in 8.." + HEIGHT + ", was " + fontPixels);
        }
        boolean dejavu = Arrays.asList(
                        GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames())
                .contains(PREFERRED_FONT);
        this.font = new Font(dejavu ? PREFERRED_FONT : Font.SANS_SERIF, Font.PLAIN, fontPixels);
    }

    public TextLineRenderer() {
        this(32);
    }

    /** The font family in use, for the record ({@code DejaVu Sans} or {@code SansSerif}). */
    public String fontFamily() {
        return font.getFamily();
    }

    /** The width {@link #render} gives {@code text}: its advance plus margins, rounded up to a multiple of 8. */
    public int width(String text) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = scratch.createGraphics();
        try {
            g.setFont(font);
            return padded(g.getFontMetrics().stringWidth(text) + 2 * MARGIN);
        } finally {
            g.dispose();
        }
    }

    /** {@code text} drawn in black on white, 48 pixels high, grey levels 0..255. */
    public BufferedImage render(String text) {
        BufferedImage image = new BufferedImage(width(text), HEIGHT, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), HEIGHT);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setFont(font);
            g.setColor(Color.BLACK);
            FontMetrics m = g.getFontMetrics();
            int baseline = (HEIGHT - (m.getAscent() + m.getDescent())) / 2 + m.getAscent();
            g.drawString(text, MARGIN, baseline);
        } finally {
            g.dispose();
        }
        return image;
    }

    /**
     * The model's input for {@code images}: {@code [N, 3, 48, width]}, each channel (B, G, R: equal
     * for grey) {@code (v / 255 - 0.5) / 0.5}, every image padded on the right with white to {@code width}.
     */
    public static FloatTensor toTensor(List<BufferedImage> images, int width) {
        if (width % STRIDE != 0) {
            throw new IllegalArgumentException("width must be a multiple of " + STRIDE + ", was " + width);
        }
        int plane = HEIGHT * width;
        float[] data = new float[Math.multiplyExact(images.size(), 3 * plane)];
        Arrays.fill(data, 1f); // white
        int[] row = new int[width];
        for (int n = 0; n < images.size(); n++) {
            BufferedImage image = images.get(n);
            if (image.getHeight() != HEIGHT || image.getWidth() > width) {
                throw new IllegalArgumentException("image " + n + " is " + image.getWidth() + "x" + image.getHeight()
                        + "; expected height " + HEIGHT + " and width at most " + width);
            }
            Raster r = image.getRaster();
            for (int y = 0; y < HEIGHT; y++) {
                r.getSamples(0, y, image.getWidth(), 1, 0, row);
                for (int x = 0; x < image.getWidth(); x++) {
                    float v = row[x] / 127.5f - 1f;
                    int at = n * 3 * plane + y * width + x;
                    data[at] = v;
                    data[at + plane] = v;
                    data[at + 2 * plane] = v;
                }
            }
        }
        return FloatTensor.of(data, images.size(), 3, HEIGHT, width);
    }

    private static int padded(int width) {
        return (width + STRIDE - 1) / STRIDE * STRIDE;
    }
}
