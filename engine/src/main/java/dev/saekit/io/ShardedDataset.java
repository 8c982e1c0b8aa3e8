package dev.saekit.io;

import dev.saekit.data.Dataset;

import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows streamed from many {@code .npy} shards, for data sets larger than memory. The shards (a
 * directory's {@code .npy} files or the files a glob matches, sorted by path) are checked from
 * their headers alone when the data set is built: float16/32/64 of either byte order, C order, the
 * same width in every shard, none empty; n-d shards are read as rows of their last dimension.
 * Rows are read through memory-mapped windows and converted to the data set's dtype (float32
 * unless asked otherwise). A NaN or infinity is a {@link NonFiniteValueException} naming the file,
 * the row within it and the column, raised when the row is read.
 *
 * <h2>Shuffling in bounded memory</h2>
 * The rows are cut into chunks of {@code chunkRows} consecutive rows of one shard. Each epoch
 * visits every chunk once, in an order drawn from {@code (seed, epoch)}, and streams their rows
 * into a shuffle buffer of at most {@code bufferRows} rows; each batch row is drawn at random
 * (again seeded by {@code (seed, epoch)}) from the buffer, whose free slot is refilled from the
 * stream. Every row comes exactly once per epoch and the same {@code (seed, epoch)} gives the same
 * batches. With {@code b} bytes per value (4 for float32, 8 for float64) and width {@code w}, one
 * epoch's iteration holds:
 * <ul>
 *   <li>Java heap: the buffer, {@code min(bufferRows, rows) * w * b} bytes; the batch being
 *       assembled, {@code batchSize * w * b}; the chunk order, 4 bytes per chunk;</li>
 *   <li>native memory: the batch array handed out (reused; a short last batch has its own),
 *       {@code batchSize * w * b};</li>
 *   <li>memory-mapped file pages: one window of at most {@code chunkRows} rows, unmapped as soon as
 *       the next is mapped. These are page cache, not heap: the kernel can drop them at will.</li>
 * </ul>
 * With the defaults (65,536 buffer rows, 1,024-row chunks), width 256 float32 and batches of 256,
 * that is 64 MiB of buffer, 256 KiB of batch on the heap and as much native, and a 1 MiB mapped
 * window; at width 4,096 with batches of 4,096 it is 1 GiB, 64 MiB (twice) and 16 MiB. None of it
 * grows with the size of the data. Rows of one chunk stay somewhat close in an epoch when the
 * buffer holds few chunks; {@code bufferRows / chunkRows} chunks (64 by default) are mixed at
 * any time.
 * {@link #batchesInOrder} streams the rows in file order with no buffer.
 */
public final class ShardedDataset implements Dataset {
    /** The default size of the shuffle buffer, in rows. */
    public static final int DEFAULT_BUFFER_ROWS = 65_536;
    /** The default number of consecutive rows that are shuffled as one chunk. */
    public static final int DEFAULT_CHUNK_ROWS = 1_024;
    /** The most bytes one {@link java.nio.MappedByteBuffer} can span. */
    static final long MAX_WINDOW_BYTES = Integer.MAX_VALUE;

    private final List<Shard> shards;
    /** The index of the first chunk of each shard, and the chunk count at the end. */
    private final int[] firstChunk;
    private final long rows;
    private final int cols;
    private final DType dtype;
    private final int bufferRows;
    private final int chunkRows;
    private final String description;
    private final double[] offset;
    private final AtomicLong peakBufferedRows = new AtomicLong();

    private ShardedDataset(List<Shard> shards, DType dtype, int bufferRows, int chunkRows, String description, double[] offset) {
        this.shards = shards;
        this.dtype = dtype;
        this.bufferRows = bufferRows;
        this.chunkRows = chunkRows;
        this.description = description;
        this.offset = offset;
        this.cols = shards.get(0).width();
        this.firstChunk = new int[shards.size() + 1];
        long r = 0;
        long chunks = 0;
        for (int i = 0; i < shards.size(); i++) {
            firstChunk[i] = Math.toIntExact(chunks);
            chunks += (shards.get(i).rows() + chunkRows - 1) / chunkRows;
            r += shards.get(i).rows();
        }
        if (chunks > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(r + " rows make " + chunks + " chunks of chunkRows=" + chunkRows
                    + ", more than an epoch's chunk order can hold; use larger chunks");
        }
        firstChunk[shards.size()] = (int) chunks;
        this.rows = r;
    }

    /** A builder over {@code location}: a directory (its {@code .npy} files) or a glob such as {@code acts/*.npy}. */
    public static Builder builder(String location) {
        return new Builder(Objects.requireNonNull(location, "location"), null);
    }

    /** A builder over the given shard files, in this order. */
    public static Builder builder(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("files is empty; a sharded data set needs at least one .npy file");
        }
        return new Builder(null, List.copyOf(files));
    }

    /** The data set over {@code location} (a directory or a glob) with the defaults: float32 and 65,536 buffer rows. */
    public static ShardedDataset open(String location) throws IOException {
        return builder(location).build();
    }

    /** The shard files, in the order rows are numbered. */
    public List<Path> files() {
        return shards.stream().map(Shard::file).toList();
    }

    @Override
    public long rows() {
        return rows;
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
    public String description() {
        return description;
    }

    /** The most rows the shuffle buffer holds. */
    public int bufferRows() {
        return bufferRows;
    }

    /** The rows of one chunk (and of one mapped window): the requested size, lowered to fit 2 GiB. */
    public int chunkRows() {
        return chunkRows;
    }

    /** The Java heap of the shuffle buffer: {@code min(bufferRows, rows) * cols * bytes per value}. */
    public long bufferBytes() {
        return RowBlock.bytes(dtype, Math.min(bufferRows, rows), cols);
    }

    /** The shuffle buffer, {@link #bufferBytes()}: the rows themselves stay on disk. */
    @Override
    public long memoryBytes() {
        return bufferBytes();
    }

    /**
     * The most rows any shuffle buffer of this data set has held so far (never more than
     * {@link #bufferRows()}); 0 before the first shuffled batch.
     */
    public long peakBufferedRows() {
        return peakBufferedRows.get();
    }

    /**
     * The same shards with {@code mean} ({@code cols} values) subtracted from every row as it is
     * read: the centred data, without a second copy of it. The mean is rounded to the dtype first,
     * as an in-memory {@code matrix.subRowVector(mean)} would.
     */
    public ShardedDataset centred(INDArray mean) {
        if (mean.length() != cols) {
            throw new IllegalArgumentException("mean must have " + cols + " values (the width of " + description
                    + "), was shape " + Arrays.toString(mean.shape()));
        }
        double[] m = Tensors.copy(mean, dtype).reshape(cols).toDoubleVector();
        return new ShardedDataset(shards, dtype, bufferRows, chunkRows, description, m);
    }

    /**
     * {@code n} distinct rows drawn uniformly at random (seeded), in row order, as a new
     * {@code [n, cols]} array; all rows if {@code n >= rows()}. Each row is read on its own, so
     * this suits a few thousand rows (k-means candidates, a quick look), not an epoch.
     */
    @Override
    public INDArray sample(int n, long seed) {
        long[] picked = dev.saekit.data.RowSample.pick(rows, n, seed);
        RowBlock block = new RowBlock(dtype, picked.length, cols);
        try (ShardReader reader = reader()) {
            for (int i = 0; i < picked.length; i++) {
                Shard s = shards.get(shardOf(picked[i]));
                reader.read(s, picked[i] - s.firstRow(), 1, block, i);
            }
        }
        INDArray out = Tensors.zeros(dtype, picked.length, cols);
        block.copyTo(out, picked.length);
        return out;
    }

    @Override
    public Iterable<INDArray> batches(int batchSize, long seed, int epoch) {
        requireBatchSize(batchSize);
        return () -> new ShuffledBatches(batchSize, seed, epoch);
    }

    @Override
    public Iterable<INDArray> batchesInOrder(int batchSize) {
        requireBatchSize(batchSize);
        return () -> new OrderedBatches(batchSize);
    }

    private static void requireBatchSize(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, was " + batchSize);
        }
    }

    private ShardReader reader() {
        return new ShardReader(dtype, chunkRows, offset);
    }

    /** The index of the shard that holds data-set row {@code row}. */
    private int shardOf(long row) {
        int lo = 0;
        int hi = shards.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (shards.get(mid).firstRow() <= row) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The index of the shard that holds chunk {@code chunk}. */
    private int shardOfChunk(int chunk) {
        int i = Arrays.binarySearch(firstChunk, 0, shards.size(), chunk);
        return i >= 0 ? i : -i - 2;
    }

    /** One shuffled epoch: chunks in a seeded order, streamed through the shuffle buffer. */
    private final class ShuffledBatches implements Iterator<INDArray> {
        private final int batchSize;
        private final int[] chunkOrder;
        private final SeededRandom draws;
        private final RowBlock buffer;
        private final RowBlock batchRows;
        private final Buffers arrays = new Buffers(dtype);
        private final ShardReader reader = reader();
        private int buffered;
        private int nextChunk;
        private Shard shard;
        private long chunkRow;
        private long chunkEnd;
        private long delivered;

        ShuffledBatches(int batchSize, long seed, int epoch) {
            this.batchSize = batchSize;
            SeededRandom epochRandom = new SeededRandom(seed).derive(epoch);
            this.chunkOrder = epochRandom.permutation(firstChunk[shards.size()]);
            this.draws = epochRandom.derive(1);
            this.buffer = new RowBlock(dtype, (int) Math.min(bufferRows, rows), cols);
            this.batchRows = new RowBlock(dtype, (int) Math.min(batchSize, rows), cols);
        }

        @Override
        public boolean hasNext() {
            return delivered < rows;
        }

        @Override
        public INDArray next() {
            if (delivered >= rows) {
                throw new NoSuchElementException();
            }
            int n = (int) Math.min(batchSize, rows - delivered);
            int filled = 0;
            while (filled < n) {
                refill();
                int take = Math.min(n - filled, buffered);
                for (int k = 0; k < take; k++) {
                    int r = draws.nextInt(buffered);
                    buffer.copyRow(r, batchRows, filled++);
                    buffered--;
                    if (r != buffered) {
                        buffer.copyRow(buffered, buffer, r); // the last row fills the hole: rows stay in 0..buffered-1
                    }
                }
            }
            delivered += n;
            if (delivered == rows) {
                reader.close();
            }
            INDArray batch = arrays.get("batch", n, cols);
            batchRows.copyTo(batch, n);
            return batch;
        }

        /** Streams rows into the buffer's free slots until it is full or the epoch's chunks are spent. */
        private void refill() {
            while (buffered < buffer.capacity) {
                if (chunkRow == chunkEnd) {
                    if (nextChunk == chunkOrder.length) {
                        return;
                    }
                    int chunk = chunkOrder[nextChunk++];
                    int s = shardOfChunk(chunk);
                    shard = shards.get(s);
                    chunkRow = (long) (chunk - firstChunk[s]) * chunkRows;
                    chunkEnd = Math.min(shard.rows(), chunkRow + chunkRows);
                }
                int k = (int) Math.min(buffer.capacity - buffered, chunkEnd - chunkRow);
                reader.read(shard, chunkRow, k, buffer, buffered);
                chunkRow += k;
                buffered += k;
                peakBufferedRows.accumulateAndGet(buffered, Math::max);
            }
        }
    }

    /** The rows in file order, batch after batch, across shard boundaries. */
    private final class OrderedBatches implements Iterator<INDArray> {
        private final int batchSize;
        private final RowBlock batchRows;
        private final Buffers arrays = new Buffers(dtype);
        private final ShardReader reader = reader();
        private int shard;
        private long delivered;

        OrderedBatches(int batchSize) {
            this.batchSize = batchSize;
            this.batchRows = new RowBlock(dtype, (int) Math.min(batchSize, rows), cols);
        }

        @Override
        public boolean hasNext() {
            return delivered < rows;
        }

        @Override
        public INDArray next() {
            if (delivered >= rows) {
                throw new NoSuchElementException();
            }
            int n = (int) Math.min(batchSize, rows - delivered);
            for (int filled = 0; filled < n; ) {
                Shard s = shards.get(shard);
                long row = delivered + filled - s.firstRow();
                int k = (int) Math.min(n - filled, s.rows() - row);
                reader.read(s, row, k, batchRows, filled);
                filled += k;
                if (row + k == s.rows()) {
                    shard++;
                }
            }
            delivered += n;
            if (delivered == rows) {
                reader.close();
            }
            INDArray batch = arrays.get("batch", n, cols);
            batchRows.copyTo(batch, n);
            return batch;
        }
    }

    @Override
    public String toString() {
        return "ShardedDataset[" + description + ", " + rows + " x " + cols + ", " + dtype + ", buffer " + bufferRows
                + " rows, chunks of " + chunkRows + " rows]";
    }

    /** Options of a sharded data set; {@link #build()} reads and checks the shards' headers. */
    public static final class Builder {
        private final String location;
        private final List<Path> files;
        private DType dtype = DType.FLOAT32;
        private int bufferRows = DEFAULT_BUFFER_ROWS;
        private int chunkRows = DEFAULT_CHUNK_ROWS;
        private long maxWindowBytes = MAX_WINDOW_BYTES;

        private Builder(String location, List<Path> files) {
            this.location = location;
            this.files = files;
        }

        /** The dtype of the batches (float32 by default); shards of any float type are converted to it. */
        public Builder dtype(DType dtype) {
            this.dtype = Objects.requireNonNull(dtype, "dtype");
            return this;
        }

        /** The most rows the shuffle buffer holds (default 65,536). */
        public Builder bufferRows(int bufferRows) {
            this.bufferRows = bufferRows;
            return this;
        }

        /** Consecutive rows that move together in the shuffle (default 1,024). */
        public Builder chunkRows(int chunkRows) {
            this.chunkRows = chunkRows;
            return this;
        }

        /** For tests: the largest window to map, in place of the 2 GiB of one mapped buffer. */
        Builder maxWindowBytes(long maxWindowBytes) {
            this.maxWindowBytes = maxWindowBytes;
            return this;
        }

        /** Resolves the shards, reads and checks their headers (no data), and returns the data set. */
        public ShardedDataset build() throws IOException {
            if (bufferRows <= 0) {
                throw new IllegalArgumentException("bufferRows must be > 0, was " + bufferRows);
            }
            if (chunkRows <= 0) {
                throw new IllegalArgumentException("chunkRows must be > 0, was " + chunkRows);
            }
            List<Path> paths = files != null ? files : ShardFiles.resolve(location);
            List<Shard> shards = new ArrayList<>(paths.size());
            long rows = 0;
            long widestRow = 0;
            for (Path p : paths) {
                Shard s = Shard.open(p, rows);
                if (!shards.isEmpty() && s.width() != shards.get(0).width()) {
                    Shard first = shards.get(0);
                    throw new IllegalArgumentException("shard " + p + " has shape " + s.shapeText() + " (rows of width "
                            + s.width() + ") but shard " + first.file() + " has shape " + first.shapeText() + " (width "
                            + first.width() + "); all shards need the same width");
                }
                shards.add(s);
                rows = Math.addExact(rows, s.rows());
                widestRow = Math.max(widestRow, s.rowBytes());
            }
            long windowRows = maxWindowBytes / widestRow;
            if (windowRows == 0) {
                throw new IllegalArgumentException("a row of width " + shards.get(0).width() + " takes " + widestRow
                        + " bytes, more than the " + maxWindowBytes + " one memory-mapped window can span");
            }
            int chunk = (int) Math.min(chunkRows, windowRows);
            int width = shards.get(0).width();
            if ((long) Math.min(bufferRows, rows) * width > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("bufferRows=" + bufferRows + " rows of width " + width
                        + " are more values than one Java array holds; lower bufferRows");
            }
            String description = location != null
                    ? location + " (" + paths.size() + " .npy shard" + (paths.size() == 1 ? "" : "s") + ")"
                    : paths.get(0) + (paths.size() == 1 ? "" : " and " + (paths.size() - 1) + " more .npy shards");
            return new ShardedDataset(List.copyOf(shards), dtype, bufferRows, chunk, description, null);
        }
    }
}
