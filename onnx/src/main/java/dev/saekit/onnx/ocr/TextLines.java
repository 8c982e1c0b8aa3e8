package dev.saekit.onnx.ocr;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/**
 * Seeded lines of text: 1 to {@code maxWords} tokens, each a word of the given list (lower case,
 * Capitalised in a quarter of the cases, UPPER CASE in one in twenty), a number (one in ten), and
 * now and then a comma or full stop after a word. A line is cut, word by word, until it fits
 * {@code maxWidth} pixels. The same seed and word list give the same lines.
 */
public final class TextLines {
    private final List<String> words;
    private final int maxWords;
    private final int maxWidth;
    private final ToIntFunction<String> width;
    private final SplittableRandom random;

    /**
     * @param words    the vocabulary (e.g. the embedded GloVe list); must not be empty
     * @param maxWords the most tokens in a line
     * @param maxWidth the widest line, in the pixels {@code width} measures
     * @param width    the rendered width of a text (e.g. {@link TextLineRenderer#width})
     * @param seed     the seed of every choice
     */
    public TextLines(List<String> words, int maxWords, int maxWidth, ToIntFunction<String> width, long seed) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("words must not be empty");
        }
        if (maxWords < 1) {
            throw new IllegalArgumentException("maxWords must be >= 1, was " + maxWords);
        }
        this.words = List.copyOf(words);
        this.maxWords = maxWords;
        this.maxWidth = maxWidth;
        this.width = width;
        this.random = new SplittableRandom(seed);
    }

    /** The next line; a single token wider than {@code maxWidth} is kept, so a line is never empty. */
    public String next() {
        int n = 1 + random.nextInt(maxWords);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String token = token();
            String candidate = line.isEmpty() ? token : line + " " + token;
            if (!line.isEmpty() && width.applyAsInt(candidate) > maxWidth) {
                break;
            }
            line.setLength(0);
            line.append(candidate);
        }
        return line.toString();
    }

    private String token() {
        if (random.nextInt(10) == 0) {
            return Integer.toString(random.nextInt(random.nextBoolean() ? 100 : 10_000));
        }
        String w = words.get(random.nextInt(words.size()));
        int style = random.nextInt(20);
        if (style == 0) {
            w = w.toUpperCase(Locale.ROOT);
        } else if (style <= 5 && !w.isEmpty()) {
            w = w.substring(0, 1).toUpperCase(Locale.ROOT) + w.substring(1);
        }
        int punctuation = random.nextInt(20);
        return punctuation == 0 ? w + "," : punctuation == 1 ? w + "." : w;
    }
}
