package dev.saekit.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Helpers of orthogonal matching pursuit over the rows of a score matrix. */
public final class PursuitSelection {
    private PursuitSelection() {}

    /** Sets {@code scores[row, selected[row][i]] = -inf} for the first {@code count} picks of every row. */
    public static void excludeSelected(INDArray scores, int[][] selected, int count) {
        Rows s = Rows.of(scores, "scores");
        for (int r = 0; r < s.rows; r++) {
            long base = (long) r * s.cols;
            for (int i = 0; i < count; i++) {
                s.set(base + selected[r][i], Double.NEGATIVE_INFINITY);
            }
        }
    }

    /** Copies row {@code row} of {@code m} into {@code out}. */
    public static void row(INDArray m, int row, double[] out) {
        Rows s = Rows.of(m, "matrix");
        long base = (long) row * s.cols;
        for (int j = 0; j < s.cols; j++) {
            out[j] = s.get(base + j);
        }
    }

    /** {@code m[row, cols[i]] = values[i]} for the first {@code count} entries. */
    public static void scatterRow(INDArray m, int row, int[] cols, double[] values, int count) {
        Rows s = Rows.of(m, "matrix");
        long base = (long) row * s.cols;
        for (int i = 0; i < count; i++) {
            s.set(base + cols[i], values[i]);
        }
    }
}
