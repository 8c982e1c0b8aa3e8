package dev.saekit.data;

import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Data sets read side by side: row {@code r} is row {@code r} of each part, their columns one after
 * the other. A transcoder trains on its input beside its target ({@code [x_in | y]}); a crosscoder on
 * the activations of several layers ({@code [x_1 | ... | x_L]}). The parts are read in step, batch by
 * batch, so nothing is copied beyond the batch being assembled.
 *
 * <p>Pairing needs the parts to give their rows in the same order: the same number of rows and the
 * same {@linkplain Dataset#rowOrder() row order} (in-memory data sets of equal length; streamed
 * shards of the same layout, as a harvest writes its taps). Anything else is refused, naming both
 * orders, since a shuffled epoch would silently pair unrelated rows.
 */
public final class SideBySideDataset implements Dataset {
    private final List<Dataset> parts;
    private final int cols;
    private final DType dtype;
    private final String order;

    private SideBySideDataset(List<Dataset> parts, String order) {
        this.parts = parts;
        this.cols = parts.stream().mapToInt(Dataset::cols).sum();
        this.dtype = parts.stream().anyMatch(p -> p.dtype() == DType.FLOAT64) ? DType.FLOAT64 : DType.FLOAT32;
        this.order = order;
    }

    /**
     * {@code parts} side by side (at least one); an {@link IllegalArgumentException} names the part
     * whose rows or row order differ from the first's.
     */
    public static SideBySideDataset of(List<? extends Dataset> parts) {
        Objects.requireNonNull(parts, "parts");
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("side by side needs at least one data set");
        }
        Dataset first = parts.get(0);
        Optional<String> order = first.rowOrder();
        for (Dataset p : parts) {
            if (p.rows() != first.rows()) {
                throw new IllegalArgumentException("data sets read side by side need one row each for the same "
                        + "example, but " + first.description() + " has " + first.rows() + " rows and "
                        + p.description() + " has " + p.rows() + "; pair taps of the same harvest, or files of "
                        + "equal length");
            }
            if (p.rowOrder().isEmpty() || !p.rowOrder().equals(order)) {
                throw new IllegalArgumentException("data sets read side by side must give their rows in the same "
                        + "order, but " + first.description() + " gives " + order.orElse("an unknown order") + " and "
                        + p.description() + " gives " + p.rowOrder().orElse("an unknown order")
                        + "; load both in memory, or pair shards cut the same way (the taps of one harvest)");
            }
        }
        return new SideBySideDataset(List.copyOf(parts), order.orElseThrow());
    }

    /** The parts, in column order. */
    public List<Dataset> parts() {
        return parts;
    }

    @Override
    public long rows() {
        return parts.get(0).rows();
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public Optional<String> rowOrder() {
        return Optional.of(order);
    }

    @Override
    public Iterable<INDArray> batches(int batchSize, long seed, int epoch) {
        return () -> new Joined(parts.stream()
                .map(p -> p.batches(batchSize, seed, epoch).iterator())
                .toList());
    }

    @Override
    public Iterable<INDArray> batchesInOrder(int batchSize) {
        return () -> new Joined(
                parts.stream().map(p -> p.batchesInOrder(batchSize).iterator()).toList());
    }

    /** The first part's labels (one per row, shared by every part). */
    @Override
    public Optional<List<String>> labels() {
        return parts.get(0).labels();
    }

    @Override
    public long memoryBytes() {
        return parts.stream().mapToLong(Dataset::memoryBytes).sum();
    }

    @Override
    public long memoryBytes(int batchSize) {
        return parts.stream().mapToLong(p -> p.memoryBytes(batchSize)).sum();
    }

    @Override
    public String description() {
        return parts.stream().map(Dataset::description).collect(Collectors.joining(" | "));
    }

    /** The same rows of every part (each draws them from the seed and its row count, equal here), side by side. */
    @Override
    public INDArray sample(int n, long seed) {
        List<INDArray> samples = new ArrayList<>();
        for (Dataset p : parts) {
            samples.add(p.sample(n, seed));
        }
        INDArray out =
                org.nd4j.linalg.factory.Nd4j.create(dtype.nd4j(), samples.get(0).rows(), cols);
        copyColumns(samples, out);
        return out;
    }

    private static void copyColumns(List<INDArray> blocks, INDArray out) {
        int from = 0;
        for (INDArray b : blocks) {
            out.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + b.columns()))
                    .assign(b);
            from += (int) b.columns();
        }
    }

    /** One epoch of every part, in step, assembled into a reused batch. */
    private final class Joined implements Iterator<INDArray> {
        private final List<Iterator<INDArray>> its;
        private final Buffers arrays = new Buffers(dtype);

        Joined(List<Iterator<INDArray>> its) {
            this.its = its;
        }

        @Override
        public boolean hasNext() {
            boolean next = its.get(0).hasNext();
            for (Iterator<INDArray> it : its) {
                if (it.hasNext() != next) {
                    throw new IllegalStateException("the data sets read side by side ended at different batches");
                }
            }
            return next;
        }

        @Override
        public INDArray next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            List<INDArray> blocks = new ArrayList<>(its.size());
            for (Iterator<INDArray> it : its) {
                blocks.add(it.next());
            }
            long n = blocks.get(0).rows();
            for (INDArray b : blocks) {
                if (b.rows() != n) {
                    throw new IllegalStateException(
                            "the data sets read side by side gave batches of " + n + " and " + b.rows() + " rows");
                }
            }
            INDArray batch = arrays.get("batch", n, cols);
            copyColumns(blocks, batch);
            return batch;
        }
    }
}
