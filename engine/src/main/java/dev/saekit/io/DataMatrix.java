package dev.saekit.io;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link DataFiles#read} returns: the rows of a data file and where they came from.
 *
 * @param matrix the array as a matrix {@code [info.rows(), info.cols()]}, float32 or float64
 * @param info   the file, its format, the array's stored type and shape
 */
public record DataMatrix(INDArray matrix, DataFileInfo info) {

    public DataMatrix {
        Objects.requireNonNull(matrix, "matrix");
        Objects.requireNonNull(info, "info");
    }
}
