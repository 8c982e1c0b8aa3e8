package dev.saekit.data;

import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A data set held in memory as one {@code [rows, cols]} matrix. Construction validates it once:
 * a matrix (not a vector or a tensor), at least one row, every value finite; each error names
 * what is wrong and where.
 */
public final class InMemoryDataset implements Dataset {
    private final INDArray data;
    private final List<String> labels;
    private final String description;

    private InMemoryDataset(INDArray data, List<String> labels, String description) {
        this.data = data;
        this.labels = labels;
        this.description = description;
    }

    /** A data set over {@code matrix} (copied to C order and float32/float64 if needed). */
    public static InMemoryDataset of(INDArray matrix, String description) {
        return of(matrix, null, description);
    }

    /** A data set with one label per row. */
    public static InMemoryDataset of(INDArray matrix, List<String> labels, String description) {
        Objects.requireNonNull(matrix, "matrix");
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("data of " + description + " must be a matrix [rows, cols], was shape "
                    + Arrays.toString(matrix.shape()));
        }
        if (matrix.rows() == 0 || matrix.columns() == 0) {
            throw new IllegalArgumentException("data set " + description + " is empty: shape "
                    + Arrays.toString(matrix.shape()) + "; it needs at least one row and one column");
        }
        DType dtype = matrix.dataType().isFPType() && matrix.dataType() == DType.FLOAT64.nd4j()
                ? DType.FLOAT64
                : DType.FLOAT32;
        INDArray data = matrix.ordering() == 'c' && matrix.dataType() == dtype.nd4j() && !matrix.isView()
                ? matrix
                : Tensors.copy(matrix, dtype);
        requireFinite(data, description);
        if (labels != null && labels.size() != data.rows()) {
            throw new IllegalArgumentException(
                    description + " has " + data.rows() + " rows but " + labels.size() + " labels");
        }
        return new InMemoryDataset(data, labels == null ? null : List.copyOf(labels), description);
    }

    private static void requireFinite(INDArray data, String description) {
        long bad = Tensors.firstNonFiniteIfAny(data);
        if (bad >= 0) {
            long row = bad / data.columns();
            long col = bad % data.columns();
            double v = data.getDouble(row, col);
            throw new IllegalArgumentException(
                    "data set " + description + " has " + (Double.isNaN(v) ? "NaN" : String.valueOf(v)) + " at row "
                            + row + ", column " + col + "; remove or impute such rows before training");
        }
    }

    /** The same rows in {@code type} (this set if it already is). */
    public InMemoryDataset withDType(DType type) {
        if (type == dtype()) {
            return this;
        }
        return new InMemoryDataset(Tensors.copy(data, type), labels, description);
    }

    /** The whole matrix (not a copy: do not modify). */
    public INDArray matrix() {
        return data;
    }

    @Override
    public long rows() {
        return data.rows();
    }

    @Override
    public int cols() {
        return (int) data.columns();
    }

    @Override
    public DType dtype() {
        return DType.of(data.dataType());
    }

    /** The matrix: {@code rows x cols} values. */
    @Override
    public long memoryBytes() {
        return data.length() * data.dataType().width();
    }

    @Override
    public Optional<List<String>> labels() {
        return Optional.ofNullable(labels);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public INDArray sample(int n, long seed) {
        int[] picked = Arrays.stream(RowSample.pick(rows(), n, seed))
                .mapToInt(Math::toIntExact)
                .toArray();
        return Nd4j.pullRows(data, 1, picked);
    }

    /** A seeded permutation of the rows: any in-memory data set of as many rows has the same order. */
    @Override
    public Optional<String> rowOrder() {
        return Optional.of("a permutation of " + rows() + " rows in memory");
    }

    @Override
    public Iterable<INDArray> batches(int batchSize, long seed, int epoch) {
        return batches(batchSize, new SeededRandom(seed).derive(epoch).permutation(Math.toIntExact(rows())));
    }

    @Override
    public Iterable<INDArray> batchesInOrder(int batchSize) {
        int[] order = new int[Math.toIntExact(rows())];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        return batches(batchSize, order);
    }

    private Iterable<INDArray> batches(int batchSize, int[] order) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, was " + batchSize);
        }
        int n = order.length;
        Buffers buffers = new Buffers(dtype());
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < n;
            }

            @Override
            public INDArray next() {
                if (next >= n) {
                    throw new NoSuchElementException();
                }
                int size = Math.min(batchSize, n - next);
                int[] idx = Arrays.copyOfRange(order, next, next + size);
                next += size;
                INDArray batch = buffers.get("batch", size, cols());
                return Nd4j.pullRows(data, batch, 1, idx);
            }
        };
    }

    @Override
    public String toString() {
        return "InMemoryDataset[" + description + ", " + rows() + " x " + cols() + ", " + dtype() + "]";
    }
}
