package dev.saekit.concepts;

import java.util.Arrays;

/**
 * Checks a sparse block whole before any of it is counted: shapes, {@code indptr} rising within
 * the arrays, every index a concept and at most once in its row, every value finite. While it walks
 * the entries it also counts the firing ones per concept for the label summaries, so a block is
 * read twice in all.
 */
final class BlockCheck {
    private final int concepts;
    /** The check number of the row a concept was last seen in: a second sighting in the same row is a duplicate. */
    private final int[] seenIn;

    private int stamp;

    BlockCheck(int concepts) {
        this.concepts = concepts;
        this.seenIn = new int[concepts];
    }

    /** Checks the block {@link ConceptStatistics#add} was given; counts its firing entries into {@code labels} unless null. */
    void check(
            long firstRow,
            int rows,
            int[] indptr,
            int[] indices,
            float[] values,
            int[] labels,
            LabelSummaries labelCounts) {
        if (rows < 0 || firstRow < 0 || firstRow > Long.MAX_VALUE - rows) {
            throw new IllegalArgumentException("a block of rows " + firstRow + ".." + firstRow + "+" + rows
                    + " is not a range of rows numbered from 0: firstRow and rows must be >= 0");
        }
        if (indptr == null || indices == null || values == null) {
            throw new IllegalArgumentException("indptr, indices and values must not be null");
        }
        if (indptr.length < rows + 1) {
            throw new IllegalArgumentException("indptr has " + indptr.length + " entries for a block of " + rows
                    + " rows: it needs rows + 1 = " + (rows + 1));
        }
        if (labels != null && labels.length < rows) {
            throw new IllegalArgumentException("labels has " + labels.length + " entries for a block of " + rows
                    + " rows: give one label per row, or null for none");
        }
        if (indptr[0] < 0) {
            throw new IllegalArgumentException("indptr[0] is " + indptr[0] + ": entries start at index 0 or later");
        }
        for (int r = 0; r < rows; r++) {
            if (indptr[r + 1] < indptr[r]) {
                throw new IllegalArgumentException("indptr decreases at row " + r + ": indptr[" + r + "]=" + indptr[r]
                        + " > indptr[" + (r + 1) + "]=" + indptr[r + 1] + "; it must not decrease");
            }
        }
        if (indptr[rows] > indices.length || indptr[rows] > values.length) {
            throw new IllegalArgumentException("indptr[" + rows + "]=" + indptr[rows]
                    + " points past the entries: indices" + " has " + indices.length + ", values " + values.length);
        }
        for (int r = 0; r < rows; r++) {
            nextStamp();
            for (int e = indptr[r]; e < indptr[r + 1]; e++) {
                int c = indices[e];
                if (c < 0 || c >= concepts) {
                    throw new IllegalArgumentException("indices[" + e + "] (row " + (firstRow + r) + ") is " + c
                            + ", not a concept in 0.." + (concepts - 1));
                }
                if (seenIn[c] == stamp) {
                    throw new IllegalArgumentException("concept " + c + " appears twice in row " + (firstRow + r)
                            + " (indices[" + e + "]): each concept has at most one value per row");
                }
                seenIn[c] = stamp;
                float v = values[e];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("values[" + e + "] (row " + (firstRow + r) + ", concept " + c
                            + ") is " + v + ": codes must be finite");
                }
                if (labelCounts != null && v != 0) {
                    labelCounts.count(c);
                }
            }
        }
    }

    private void nextStamp() {
        if (++stamp == 0) { // wrapped after 2^32 rows: forget every old sighting
            Arrays.fill(seenIn, 0);
            stamp = 1;
        }
    }
}
