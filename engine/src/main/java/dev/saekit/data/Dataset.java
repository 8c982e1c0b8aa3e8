package dev.saekit.data;

import dev.saekit.tensor.DType;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Rows of activations {@code [rows, cols]} that a trainer reads in mini-batches. */
public interface Dataset {

    long rows();

    int cols();

    DType dtype();

    /**
     * The mini-batches of one epoch in the order fixed by {@code seed} and {@code epoch} (the
     * same pair always gives the same order). The last batch may be shorter. Each batch array is
     * reused by the next one.
     */
    Iterable<INDArray> batches(int batchSize, long seed, int epoch);

    /** The mini-batches in row order, without shuffling. */
    Iterable<INDArray> batchesInOrder(int batchSize);

    /** Optional row labels (words, characters, classes), one per row. */
    default Optional<List<String>> labels() {
        return Optional.empty();
    }

    /** Where the data came from, for logs and provenance. */
    String description();
}
