package dev.saekit.dashboard;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a dashboard knows about each row besides its activations: a label id per row (a token id,
 * a word, a character) that the statistics count per concept, and the rows shown around a row when
 * one of its activations is displayed (a window of its document's tokens, or the row alone).
 */
public interface RowContexts {
    /** How rows are shown. */
    enum Kind {
        /** Tokens of documents: a row is shown in a window of its document, every token shaded. */
        TOKENS,
        /** A label per row (a word, a character, a class): a row is shown as its label. */
        LABELS,
        /** Images: a row is shown as a picture of its values. */
        IMAGES,
        /** Nothing but the row number. */
        ROWS
    }

    /** The rows {@code first..last} (inclusive) shown with a row, their texts and a caption. */
    record Window(long first, long last, List<String> texts, String caption) {
        public Window {
            texts = List.copyOf(texts);
            if (last < first || texts.size() != last - first + 1) {
                throw new IllegalArgumentException("a window of rows " + first + ".." + last + " needs "
                        + (last - first + 1) + " texts, got " + texts.size());
            }
        }
    }

    Kind kind();

    /** The label id of each of rows {@code first .. first + n - 1}, or null when rows carry none; asked in row order. */
    int[] labels(long first, int n) throws IOException;

    /** The text of label {@code id}. */
    String labelText(int id);

    /** The rows shown with row {@code row}; asked in increasing row order. */
    Window window(long row) throws IOException;

    /** Rows known by number only. */
    static RowContexts none() {
        return byNumber(Kind.ROWS);
    }

    /** Rows shown as pictures {@code height x width} of their values. */
    static RowContexts images(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("an image shape must be positive, was " + height + "x" + width);
        }
        return byNumber(Kind.IMAGES);
    }

    /** Rows without labels, shown (with {@code kind}) and captioned by their number. */
    private static RowContexts byNumber(Kind kind) {
        return new RowContexts() {
            @Override
            public Kind kind() {
                return kind;
            }

            @Override
            public int[] labels(long first, int n) {
                return null;
            }

            @Override
            public String labelText(int id) {
                return Integer.toString(id);
            }

            @Override
            public Window window(long row) {
                return new Window(row, row, List.of("row " + row), "row " + row);
            }
        };
    }

    /**
     * Images {@code height x width} with one label per row (a class): drawn as pictures, captioned and
     * counted per concept by their labels.
     */
    static RowContexts images(int height, int width, List<String> labels) {
        images(height, width); // checks the shape
        RowContexts byLabel = labels(labels);
        return new RowContexts() {
            @Override
            public Kind kind() {
                return Kind.IMAGES;
            }

            @Override
            public int[] labels(long first, int n) throws IOException {
                return byLabel.labels(first, n);
            }

            @Override
            public String labelText(int id) {
                return byLabel.labelText(id);
            }

            @Override
            public Window window(long row) throws IOException {
                Window w = byLabel.window(row);
                return new Window(
                        row, row, w.texts(), "row " + row + ": " + w.texts().get(0));
            }
        };
    }

    /** One label per row (words, characters, classes): counted per concept, and each row shown as its label. */
    static RowContexts labels(List<String> labels) {
        Map<String, Integer> ids = new HashMap<>();
        List<String> texts = new ArrayList<>();
        int[] byRow = new int[labels.size()];
        for (int i = 0; i < byRow.length; i++) {
            byRow[i] = ids.computeIfAbsent(labels.get(i), l -> {
                texts.add(l);
                return texts.size() - 1;
            });
        }
        return new RowContexts() {
            @Override
            public Kind kind() {
                return Kind.LABELS;
            }

            @Override
            public int[] labels(long first, int n) {
                if (first < 0 || first + n > byRow.length) {
                    throw new IllegalArgumentException("rows " + first + ".." + (first + n - 1) + " asked of "
                            + byRow.length + " labels: give one label per row of the data");
                }
                return java.util.Arrays.copyOfRange(byRow, (int) first, (int) first + n);
            }

            @Override
            public String labelText(int id) {
                return texts.get(id);
            }

            @Override
            public Window window(long row) {
                return new Window(row, row, List.of(labels.get(Math.toIntExact(row))), "row " + row);
            }
        };
    }
}
