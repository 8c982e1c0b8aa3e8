package dev.saekit.cli;

import dev.saekit.io.Safetensors;
import dev.saekit.kernel.SparseCodes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The {@link CodeSink} of {@code saekit encode --sparse}: the non-zero codes as CSR, gathered in memory (their count, not the dense size: 12 bytes per code
 * and 8 per row) and written as safetensors, atomically, at the end.
 */
public final class CsrCodeSink implements CodeSink {
    private final Path out;
    private final int concepts;
    private final SparseCodes scratch = new SparseCodes();
    private long[] indptr = new long[1024];
    private long[] indices = new long[4096];
    private float[] values = new float[4096];
    private int rows;
    private int nnz;

    CsrCodeSink(Path out, int concepts) {
        this.out = out;
        this.concepts = concepts;
    }

    @Override
    public void append(INDArray codes) {
        SparseCodes s = SparseCodes.of(codes, scratch); // the forward's own contiguous buffer: no copy
        double[] v = s.values();
        for (int r = 0; r < s.rows(); r++) {
            if (rows + 1 >= indptr.length) {
                indptr = Arrays.copyOf(indptr, indptr.length * 2);
            }
            for (int e = s.rowStart(r); e < s.rowStart(r + 1); e++) {
                if (nnz == indices.length) {
                    indices = Arrays.copyOf(indices, Math.multiplyExact(indices.length, 2));
                    values = Arrays.copyOf(values, indices.length);
                }
                indices[nnz] = s.concept(e);
                values[nnz] = (float) v[e];
                nnz++;
            }
            indptr[++rows] = nnz;
        }
    }

    /**
     * Appends rows given as CSR: {@code indptr} ({@code rows + 1} offsets from 0), the concept and
     * value of each code, as {@link #commit} writes them.
     */
    public void appendCsr(long[] rowPtr, long[] concepts, float[] codes) {
        int n = rowPtr.length - 1;
        int count = Math.toIntExact(rowPtr[n]);
        while (rows + n >= indptr.length) {
            indptr = Arrays.copyOf(indptr, Math.multiplyExact(indptr.length, 2));
        }
        while (nnz + count > indices.length) {
            indices = Arrays.copyOf(indices, Math.multiplyExact(indices.length, 2));
            values = Arrays.copyOf(values, indices.length);
        }
        System.arraycopy(concepts, 0, indices, nnz, count);
        System.arraycopy(codes, 0, values, nnz, count);
        for (int r = 1; r <= n; r++) {
            indptr[rows + r] = nnz + rowPtr[r];
        }
        rows += n;
        nnz += count;
    }

    @Override
    public void commit() throws IOException {
        Safetensors.write(
                out,
                Map.of(
                        "indptr", Nd4j.createFromArray(Arrays.copyOf(indptr, rows + 1)),
                        "indices", Nd4j.createFromArray(Arrays.copyOf(indices, Math.max(nnz, 0))),
                        "values", Nd4j.createFromArray(Arrays.copyOf(values, nnz))),
                Map.of("format", "csr", "shape", "[" + rows + ", " + concepts + "]"));
    }

    @Override
    public void close() {}
}
