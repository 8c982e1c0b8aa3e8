package dev.saekit.dashboard;

import dev.saekit.data.Dataset;
import dev.saekit.io.DataLocation;
import dev.saekit.tensor.DType;
import java.io.IOException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows read in order, a block at a time, in bounded memory: what a dashboard scans. The same
 * location read with the same block size always gives the same blocks, which keeps a resumed scan
 * identical to an uninterrupted one.
 */
public interface RowStream {
    /** Receives a block: rows {@code firstRow ..} of the stream, {@code [k, cols]}, reused by the next block. */
    interface Block {
        void accept(long firstRow, INDArray rows) throws IOException;
    }

    long rows();

    int cols();

    /** Where the rows come from, for the site and the scan's record. */
    String description();

    /** Every row in order, in blocks of at most {@code blockRows}. */
    void forEachBlock(int blockRows, Block block) throws IOException;

    /** The rows of a data location (any file, shard directory or harvest tap saekit reads), as {@code dtype}. */
    static RowStream of(DataLocation location, DType dtype) {
        return new RowStream() {
            @Override
            public long rows() {
                return location.rows();
            }

            @Override
            public int cols() {
                return Math.toIntExact(location.cols());
            }

            @Override
            public String description() {
                return location.describe();
            }

            @Override
            public void forEachBlock(int blockRows, Block block) throws IOException {
                location.forEachRowBlock(dtype, blockRows, block::accept);
            }
        };
    }

    /** The rows of a data set, in row order. */
    static RowStream of(Dataset data) {
        return new RowStream() {
            @Override
            public long rows() {
                return data.rows();
            }

            @Override
            public int cols() {
                return data.cols();
            }

            @Override
            public String description() {
                return data.description();
            }

            @Override
            public void forEachBlock(int blockRows, Block block) throws IOException {
                long first = 0;
                for (INDArray rows : data.batchesInOrder(blockRows)) {
                    block.accept(first, rows);
                    first += rows.rows();
                }
            }
        };
    }
}
