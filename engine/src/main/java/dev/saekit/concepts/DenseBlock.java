package dev.saekit.concepts;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The non-zero entries of a dense block of codes as a sparse block (CSR), in arrays kept from one
 * block to the next. The codes are read once, as float32: in place when they are contiguous float32
 * already, else from one converted copy. {@link ConceptStatistics#addDense} reads its codes through
 * one; a caller that needs the sparse rows too (a dashboard keeps them) makes them here and passes
 * them to {@link ConceptStatistics#add}. The arrays may be longer than the block: row {@code r}'s
 * entries are {@code indptr[r] .. indptr[r + 1] - 1}.
 */
public final class DenseBlock {
    int rows;
    int[] indptr = new int[1];
    int[] indices = new int[0];
    float[] values = new float[0];
    private float[] row = new float[0];

    /** This block, refilled with the non-zero entries of {@code codes} ({@code [rows, concepts]}). */
    public DenseBlock of(INDArray codes, int concepts) {
        if (codes.rank() != 2 || codes.columns() != concepts) {
            throw new IllegalArgumentException(
                    "codes must be [rows, " + concepts + "], were " + Arrays.toString(codes.shape()));
        }
        if (codes.length() > ConceptStatistics.MAX_ARRAY) {
            throw new IllegalArgumentException("codes " + Arrays.toString(codes.shape()) + " have more entries than"
                    + " one block may hold (" + ConceptStatistics.MAX_ARRAY + "): add them in blocks of fewer rows");
        }
        INDArray f = codes.dataType() == DataType.FLOAT ? codes : codes.castTo(DataType.FLOAT);
        if (f.ordering() != 'c' || f.isView() || f.offset() != 0 || (f.length() > 1 && f.elementWiseStride() != 1)) {
            f = f.dup('c');
        }
        rows = (int) codes.rows();
        if (indptr.length < rows + 1) {
            indptr = new int[rows + 1];
        }
        if (row.length < concepts) {
            row = new float[concepts];
        }
        FloatBuffer data = rows == 0 ? null : f.data().asNioFloat();
        int nnz = 0;
        for (int r = 0; r < rows; r++) {
            data.get(r * concepts, row, 0, concepts);
            for (int j = 0; j < concepts; j++) {
                if (row[j] != 0) {
                    if (nnz == indices.length) {
                        int grown = (int) Math.min(ConceptStatistics.MAX_ARRAY, Math.max(1024, 2L * nnz));
                        indices = Arrays.copyOf(indices, grown);
                        values = Arrays.copyOf(values, grown);
                    }
                    indices[nnz] = j;
                    values[nnz++] = row[j];
                }
            }
            indptr[r + 1] = nnz;
        }
        return this;
    }

    /** Rows in the block. */
    public int rows() {
        return rows;
    }

    /** Where each row's entries start, then where the last ends ({@code rows() + 1} values used). */
    public int[] indptr() {
        return indptr;
    }

    /** Each entry's concept. */
    public int[] indices() {
        return indices;
    }

    /** Each entry's value. */
    public float[] values() {
        return values;
    }
}
