package dev.saekit.spark;

import dev.saekit.data.DataParallelBatches;
import dev.saekit.data.Dataset;
import dev.saekit.data.InMemoryDataset;
import dev.saekit.io.DataLocation;
import dev.saekit.io.ShardedDataset;
import dev.saekit.samples.EmbeddedData;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Where each training worker reads its rows, as the driver planned it: shipped to the executors,
 * which open the same files (shared storage) and see the rows exactly as the single-machine command
 * does: the same dtype, the driver's mean subtracted, the driver's scale applied.
 *
 * <p>Shards (a harvest directory, a directory or glob of data files) are split into contiguous runs
 * of whole files, one per worker, balanced by rows; each worker streams only its own. One data
 * file, or the embedded set, is loaded by every worker, which keeps a contiguous range of its rows.
 *
 * @param data the data as {@code --data} gave it; null for the embedded set
 * @param arrayName the array chosen in each shard ({@code --name} of an .npz or safetensors glob), or null
 * @param rowAxes {@code --row-axes}
 * @param dtype the run's element type
 * @param bufferRows the shuffle buffer of streamed shards
 * @param mean the mean row the driver subtracted, or null
 * @param scale the factor the driver applied after centring
 * @param files the shard files in row order, or null for one file or the embedded set
 * @param cuts where each worker's part starts: file indices (shards) or row indices, {@code workers + 1} of them
 * @param partRows the rows of each worker's part
 * @param shares the rows of each global batch each worker reads ({@link DataParallelBatches#shares})
 */
record TrainData(
        String data,
        String arrayName,
        int rowAxes,
        DType dtype,
        int bufferRows,
        double[] mean,
        double scale,
        List<String> files,
        long[] cuts,
        long[] partRows,
        int[] shares)
        implements Serializable {

    /** The steps of each epoch: the fewest batches any worker's part has. */
    long stepsPerEpoch() {
        long steps = Long.MAX_VALUE;
        for (int w = 0; w < shares.length; w++) {
            steps = Math.min(steps, (partRows[w] + shares[w] - 1) / shares[w]);
        }
        return steps;
    }

    /** The rows an epoch reaches: every part's first {@link #stepsPerEpoch()} batches. */
    long rowsReached() {
        long steps = stepsPerEpoch();
        long rows = 0;
        for (int w = 0; w < shares.length; w++) {
            rows += Math.min(partRows[w], steps * shares[w]);
        }
        return rows;
    }

    /** The number of workers the data is cut for. */
    int workers() {
        return cuts.length - 1;
    }

    /** The whole data set, as one process trains on it. */
    Dataset whole() throws IOException {
        return files != null ? shards(files) : inMemory();
    }

    /** Worker {@code rank}'s part. */
    Dataset part(int rank) throws IOException {
        if (files != null) {
            return shards(files.subList((int) cuts[rank], (int) cuts[rank + 1]));
        }
        InMemoryDataset all = inMemory();
        INDArray rows = all.matrix().get(NDArrayIndex.interval(cuts[rank], cuts[rank + 1]), NDArrayIndex.all());
        return InMemoryDataset.of(
                rows.dup(), "rows " + cuts[rank] + ".." + cuts[rank + 1] + " of " + all.description());
    }

    private Dataset shards(List<String> paths) throws IOException {
        List<Path> p = new ArrayList<>();
        for (String s : paths) {
            p.add(Path.of(s));
        }
        ShardedDataset d = ShardedDataset.builder(DataLocation.of(p, arrayName, rowAxes))
                .dtype(dtype)
                .bufferRows(bufferRows)
                .build();
        if (mean != null) {
            d = d.centred(meanRow());
        }
        return scale == 1.0 ? d : d.scaled(scale);
    }

    private InMemoryDataset inMemory() throws IOException {
        INDArray m;
        String description;
        if (data == null) {
            m = Tensors.copy(EmbeddedData.vectors(), dtype);
            description = EmbeddedData.DESCRIPTION;
        } else {
            DataLocation location = DataLocation.open(data, arrayName, rowAxes);
            m = location.load(dtype);
            description = location.describe();
        }
        if (mean != null) {
            m.subiRowVector(meanRow());
        }
        if (scale != 1.0) {
            m.muli(scale);
        }
        return InMemoryDataset.of(m, description);
    }

    private INDArray meanRow() {
        return Tensors.fromFlat(DType.FLOAT64, mean, mean.length).castTo(dtype.nd4j());
    }

    /** {@code a}'s values in float64, for shipping; null for null. */
    static double[] values(INDArray a) {
        return a == null ? null : a.castTo(DataType.DOUBLE).toDoubleVector();
    }
}
