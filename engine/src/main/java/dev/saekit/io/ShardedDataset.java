package dev.saekit.io;

import dev.saekit.data.Dataset;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Rows streamed from shards, for data sets larger than memory. The shards are the arrays of a
 * {@link DataLocation}: a directory's data files or the files a glob matches, sorted by path, of
 * any format saekit reads ({@code .npy}, {@code .npz}, safetensors, IDX plain or {@code .gz}), any
 * element type and byte order, each read as a matrix by the rule of {@link RowLayout} (the first
 * {@code rowAxes} axes index rows, the others flatten into each row). They are checked from their
 * headers alone when the data set is built: C order, the same width in every shard, none empty.
 * Rows are read through memory-mapped windows and converted to the data set's dtype (float32
 * unless asked otherwise); each value is checked as stored before it is converted or centred: a
 * NaN, an infinity or a float64 beyond float32's range is a {@link DataValueException} naming the
 * file, the row within it, the column and the stored index, raised when the row is read.
 *
 * <h2>Compressed shards</h2>
 * Uncompressed data (an {@code .npy} file, a safetensors tensor, a plain IDX file, a stored
 * {@code .npz} member) is mapped where it lies. Compressed data (a deflated {@code .npz} member, an
 * IDX {@code .gz} file) cannot be read at random positions, so {@link Builder#build()} decompresses
 * it once, streaming, into one private {@link ScratchFile} (after checking that its disk has the
 * room), checking its CRC-32 and length on the way; its rows are then mapped from there. The
 * scratch file has no name on disk once created: its space returns when the data set is
 * {@linkplain #close() closed} or the process ends. {@link #scratchBytes()} says how large it is.
 * Mapped reads check values, not bytes: the CRC-32 of a stored {@code .npz} member is checked by
 * a sequential pass ({@link DataLocation#check}, which {@code saekit train} runs before training).
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
 *   <li>Java heap: the buffer, {@code min(bufferRows, rows) * w * b} bytes; the batches being
 *       assembled, two of {@code batchSize * w * b} (one without read-ahead); the chunk order,
 *       4 bytes per chunk;</li>
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
 *
 * <h2>Read-ahead</h2>
 * By default each epoch's batches are read, shuffled and assembled on a daemon thread of their
 * own, one or two batches ahead of the trainer ({@link ReadAhead}), so that reading the files
 * overlaps the training step; the batches are the very same as without it
 * ({@link Builder#readAhead}). A read that fails there is thrown, as the same exception, by the
 * {@code next()} that asks for the batch it was reading. The thread ends with the epoch, when the
 * data set is {@linkplain #close() closed}, or when its iterator is dropped mid-epoch and collected.
 */
public final class ShardedDataset implements Dataset, AutoCloseable {
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
    private final double scale;
    private final ScratchFile scratch;
    private final boolean readAhead;
    /** The read-ahead threads running, shared with the data sets {@link #centred} and {@link #scaled} make. */
    private final Set<ReadAhead.Worker> readers;

    private final AtomicLong peakBufferedRows = new AtomicLong();

    private ShardedDataset(
            List<Shard> shards,
            DType dtype,
            int bufferRows,
            int chunkRows,
            String description,
            double[] offset,
            double scale,
            ScratchFile scratch,
            boolean readAhead,
            Set<ReadAhead.Worker> readers) {
        this.shards = shards;
        this.readAhead = readAhead;
        this.readers = readers;
        this.scale = scale;
        this.scratch = scratch;
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

    /**
     * A builder over {@code location}: a directory (its data files), a glob such as
     * {@code acts/*.npy}, or one file (see {@link DataLocation#open}).
     */
    public static Builder builder(String location) {
        return new Builder(Objects.requireNonNull(location, "location"), null, null);
    }

    /** A builder over the given shard files, in this order. */
    public static Builder builder(List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("files is empty; a sharded data set needs at least one data file");
        }
        return new Builder(null, List.copyOf(files), null);
    }

    /** A builder over an opened location (its name and row axes are the location's). */
    public static Builder builder(DataLocation location) {
        return new Builder(null, null, Objects.requireNonNull(location, "location"));
    }

    /** The data set over {@code location} (a directory or a glob) with the defaults: float32 and 65,536 buffer rows. */
    public static ShardedDataset open(String location) throws IOException {
        return builder(location).build();
    }

    /** The shard files, in the order rows are numbered. */
    public List<Path> files() {
        return shards.stream().map(Shard::file).toList();
    }

    /**
     * The bytes of decompressed data in the scratch file (0 when every shard is read in place); the
     * scratch file lives in {@link #scratchDir()}.
     */
    public long scratchBytes() {
        return scratch == null ? 0 : scratch.size();
    }

    /** The directory of the scratch file, or null when there is none. */
    public Path scratchDir() {
        return scratch == null ? null : scratch.dir();
    }

    /** How many shards were decompressed into the scratch file. */
    public int decompressedShards() {
        return (int) shards.stream().filter(Shard::scratch).count();
    }

    /**
     * Stops the read-ahead threads of epochs still being read (their iterators then throw an
     * {@link IllegalStateException}) and releases the scratch file of decompressed shards (and with
     * it its disk space). The data set and those made from it by {@link #centred} cannot read
     * decompressed rows afterwards.
     */
    @Override
    public void close() {
        ReadAhead.stopAll(readers);
        if (scratch != null) {
            scratch.close();
        }
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

    /**
     * The chunks of each shard and the shuffle buffer fix the order of an epoch: data sets whose
     * shards have the same numbers of rows, cut into the same chunks and shuffled through buffers
     * of the same size, give their rows in the same order (the harvest's taps, written side by side).
     */
    @Override
    public java.util.Optional<String> rowOrder() {
        return java.util.Optional.of(
                "shards of " + shards.stream().map(s -> Long.toString(s.rows())).toList() + " rows in chunks of "
                        + chunkRows + ", shuffled through " + Math.min(bufferRows, rows) + " rows");
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
     * The shuffle buffer and the heap blocks batches are assembled in: {@link ReadAhead#DEPTH} of
     * {@code batchSize} rows with read-ahead, one without.
     */
    @Override
    public long memoryBytes(int batchSize) {
        return bufferBytes()
                + (readAhead ? ReadAhead.DEPTH : 1) * RowBlock.bytes(dtype, Math.min(batchSize, rows), cols);
    }

    /** Whether batches are assembled on a background thread while the previous ones are used. */
    public boolean readAhead() {
        return readAhead;
    }

    /** The read-ahead threads still running (for tests). */
    int readAheadThreads() {
        return readers.size();
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
        return new ShardedDataset(
                shards, dtype, bufferRows, chunkRows, description, m, scale, scratch, readAhead, readers);
    }

    /**
     * The same rows multiplied by {@code factor} (finite, {@code > 0}) as they are read, after any
     * centring: {@code (x - mean) * factor}, without a second copy of the data.
     */
    public ShardedDataset scaled(double factor) {
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("the scale must be finite and > 0, was " + factor);
        }
        return new ShardedDataset(
                shards, dtype, bufferRows, chunkRows, description, offset, factor, scratch, readAhead, readers);
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
        return () -> iterate(new ShuffledBatches(batchSize, seed, epoch), batchSize);
    }

    @Override
    public Iterable<INDArray> batchesInOrder(int batchSize) {
        requireBatchSize(batchSize);
        return () -> iterate(new OrderedBatches(batchSize), batchSize);
    }

    private static void requireBatchSize(int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, was " + batchSize);
        }
    }

    private Iterator<INDArray> iterate(ReadAhead.Filler filler, int batchSize) {
        return readAhead
                ? ReadAhead.start(filler, dtype, batchSize, cols, rows, description, readers)
                : ReadAhead.inThisThread(filler, dtype, batchSize, cols, rows);
    }

    private ShardReader reader() {
        return new ShardReader(dtype, chunkRows, offset, scale, scratch);
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
    private final class ShuffledBatches implements ReadAhead.Filler {
        private final int batchSize;
        private final int[] chunkOrder;
        private final SeededRandom draws;
        private final RowBlock buffer;
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
        }

        @Override
        public int fill(RowBlock batchRows) {
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
            return n;
        }

        @Override
        public void close() {
            reader.close();
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
    private final class OrderedBatches implements ReadAhead.Filler {
        private final int batchSize;
        private final ShardReader reader = reader();
        private int shard;
        private long delivered;

        OrderedBatches(int batchSize) {
            this.batchSize = batchSize;
        }

        @Override
        public int fill(RowBlock batchRows) {
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
            return n;
        }

        @Override
        public void close() {
            reader.close();
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
        private final DataLocation opened;
        private String name;
        private int rowAxes = RowLayout.DEFAULT_ROW_AXES;
        private DType dtype = DType.FLOAT32;
        private int bufferRows = DEFAULT_BUFFER_ROWS;
        private int chunkRows = DEFAULT_CHUNK_ROWS;
        private long maxWindowBytes = MAX_WINDOW_BYTES;
        private boolean readAhead = true;

        private Builder(String location, List<Path> files, DataLocation opened) {
            this.location = location;
            this.files = files;
            this.opened = opened;
        }

        /** The array to read from {@code .npz} or safetensors shards that hold several (the same name in each); null for the only one. */
        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** How many leading axes index rows (default 1; see {@link RowLayout}). */
        public Builder rowAxes(int rowAxes) {
            this.rowAxes = rowAxes;
            return this;
        }

        /** The dtype of the batches (float32 by default); shards of any element type are converted to it. */
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

        /**
         * Whether each epoch's batches are read, shuffled and assembled on a background thread
         * while the trainer computes on the previous ones (default true). The batches are the same
         * either way; without it they are read in the thread that asks for them.
         */
        public Builder readAhead(boolean readAhead) {
            this.readAhead = readAhead;
            return this;
        }

        /** For tests: the largest window to map, in place of the 2 GiB of one mapped buffer. */
        Builder maxWindowBytes(long maxWindowBytes) {
            this.maxWindowBytes = maxWindowBytes;
            return this;
        }

        /**
         * Resolves the shards, reads and checks their headers, decompresses compressed shards into
         * the scratch file, and returns the data set.
         */
        public ShardedDataset build() throws IOException {
            if (bufferRows <= 0) {
                throw new IllegalArgumentException("bufferRows must be > 0, was " + bufferRows);
            }
            if (chunkRows <= 0) {
                throw new IllegalArgumentException("chunkRows must be > 0, was " + chunkRows);
            }
            if (rowAxes < 1) {
                throw new IllegalArgumentException("rowAxes must be >= 1, was " + rowAxes);
            }
            DataLocation data = opened != null
                    ? opened
                    : files != null
                            ? DataLocation.of(files, name, rowAxes)
                            : DataLocation.open(location, name, rowAxes);
            List<Shard> shards = new ArrayList<>();
            long rows = 0;
            long widestRow = 0;
            long compressedBytes = 0;
            for (StoredArray a : data.stored()) {
                Shard s = Shard.of(a, rows);
                shards.add(s);
                rows = Math.addExact(rows, s.rows());
                widestRow = Math.max(widestRow, s.rowBytes());
                compressedBytes = Math.addExact(compressedBytes, a.compressed() ? a.dataBytes() : 0);
            }
            long windowRows = maxWindowBytes / widestRow;
            if (windowRows == 0) {
                throw new DataTooLargeException(
                        "a row of width " + shards.get(0).width() + " takes " + widestRow
                                + " bytes, more than the " + maxWindowBytes
                                + " one memory-mapped window can span; read the data with"
                                + " more row axes, so that rows are narrower",
                        rows,
                        shards.get(0).width(),
                        widestRow);
            }
            int chunk = (int) Math.min(chunkRows, windowRows);
            int width = shards.get(0).width();
            if ((long) Math.min(bufferRows, rows) * width > MatrixLoader.MAX_VALUES) {
                throw new DataTooLargeException(
                        "bufferRows=" + bufferRows + " rows of width " + width + " are "
                                + (long) Math.min(bufferRows, rows) * width
                                + " values, more than one Java array holds ("
                                + MatrixLoader.MAX_VALUES + "); lower bufferRows to at most "
                                + MatrixLoader.MAX_VALUES / width,
                        Math.min(bufferRows, rows),
                        width,
                        Long.MAX_VALUE);
            }
            ScratchFile scratch = compressedBytes == 0 ? null : decompress(shards, compressedBytes, data.describe());
            return new ShardedDataset(
                    List.copyOf(shards),
                    dtype,
                    bufferRows,
                    chunk,
                    data.describe(),
                    null,
                    1.0,
                    scratch,
                    readAhead,
                    ConcurrentHashMap.newKeySet());
        }

        /** Decompresses the compressed shards into a new scratch file, replacing them in {@code shards} by their copies. */
        private static ScratchFile decompress(List<Shard> shards, long bytes, String what) throws IOException {
            ScratchFile scratch = ScratchFile.create(bytes, what);
            try {
                for (int i = 0; i < shards.size(); i++) {
                    Shard s = shards.get(i);
                    if (s.array().compressed()) {
                        shards.set(i, s.inScratch(scratch.append(s.array())));
                    }
                }
                return scratch;
            } catch (IOException | RuntimeException e) {
                scratch.close();
                throw e;
            }
        }
    }
}
