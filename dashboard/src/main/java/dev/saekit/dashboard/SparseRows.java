package dev.saekit.dashboard;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A block of codes as sparse rows (CSR: {@code indptr}, {@code indices}, {@code values}), in arrays
 * kept from one block to the next; the codes are read in place when they are contiguous float32.
 */
final class SparseRows {
    int rows;
    int[] indptr = new int[1];
    int[] indices = new int[0];
    float[] values = new float[0];
    private float[] row = new float[0];

    /** Refilled with the non-zero entries of {@code codes} ({@code [rows, concepts]}). */
    SparseRows of(INDArray codes) {
        int concepts = (int) codes.columns();
        INDArray f = codes.dataType() == DataType.FLOAT ? codes : codes.castTo(DataType.FLOAT);
        if (f.ordering() != 'c' || f.isView() || f.offset() != 0) {
            f = f.dup('c');
        }
        rows = (int) codes.rows();
        if (indptr.length < rows + 1) {
            indptr = new int[rows + 1];
        }
        if (row.length < concepts) {
            row = new float[concepts];
        }
        FloatBuffer data = f.data().asNioFloat();
        int nnz = 0;
        for (int r = 0; r < rows; r++) {
            data.get(r * concepts, row, 0, concepts);
            for (int j = 0; j < concepts; j++) {
                if (row[j] != 0) {
                    if (nnz == indices.length) {
                        int grown = Math.max(1024, 2 * nnz);
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
}
