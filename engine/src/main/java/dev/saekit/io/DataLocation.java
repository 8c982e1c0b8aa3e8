package dev.saekit.io;

import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The rows of a data location: one data file of any format ({@code .npy}, {@code .npz},
 * safetensors, IDX plain or {@code .gz}), or a set of shards (a directory's data files, or the
 * files a glob matches, in path order) of any of these formats, mixed if need be. Every array is
 * read as a matrix by the rule of {@link RowLayout} (the first {@code rowAxes} axes index rows), and
 * the shards' matrices are stacked: they must have the same width.
 *
 * <p>Opening a location reads and checks the headers only: paths that are not regular files are
 * refused before they are opened, and every declared size is checked against the file before
 * anything is allocated. The data is then read in one of three ways:
 * <ul>
 *   <li>sequentially, in bounded memory whatever the size or compression:
 *       {@link #statistics()} (every value as stored, NaN counted), {@link #meanRow(DType)} and
 *       {@link #forEachRowBlock} (every value checked against the dtype it is read into before
 *       any transformation, {@link DataValueException} naming file, row, column and stored index);</li>
 *   <li>into memory, checked the same way: {@link #load(DType)}, refused with a
 *       {@link DataTooLargeException} before allocation if it cannot be one in-memory array;</li>
 *   <li>streamed and shuffled for training: {@link ShardedDataset#builder(DataLocation)}, which maps
 *       uncompressed data in place and decompresses compressed data once into a scratch file.</li>
 * </ul>
 */
public final class DataLocation {
    private final String location;
    private final String name;
    private final boolean singleFile;
    private final List<StoredArray> arrays;
    private final int rowAxes;
    private final long rows;
    private final long cols;

    private DataLocation(String location, String name, boolean singleFile, List<StoredArray> arrays, int rowAxes) {
        this.location = location;
        this.name = name;
        this.singleFile = singleFile;
        this.arrays = List.copyOf(arrays);
        this.rowAxes = rowAxes;
        long r = 0;
        for (StoredArray a : arrays) {
            r = Math.addExact(r, a.layout().rows());
        }
        this.rows = r;
        this.cols = arrays.get(0).layout().cols();
    }

    /**
     * The data at {@code location}: a regular file, a directory (its data files by name:
     * {@code .npy}, {@code .npz}, {@code .safetensors}, {@code .idx}, {@code .idx.gz}, MNIST's
     * {@code *-idx3-ubyte[.gz]}) or a glob ({@code acts/*.npz}); {@code name} chooses the array of
     * an {@code .npz} or safetensors file (in every shard), null for a file's only array. A
     * directory with a {@code manifest.json} (what {@code saekit harvest} and {@code saekit
     * extract-ocr} write) is read through its manifest ({@link ActivationDirectory}): {@code name}
     * then chooses the tap ({@code residual:3}), null for the only one.
     *
     * @throws NoSuchFileException      when nothing is there
     * @throws MalformedFileException   for a path that is not a regular file or directory, or a defective file
     * @throws IllegalArgumentException for a missing or unknown name, too many row axes, shards of different widths
     */
    public static DataLocation open(String location, String name, int rowAxes) throws IOException {
        Path path;
        try {
            path = Path.of(location);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(
                    "not a valid path: " + Text.quote(location) + " (" + e.getReason() + ")");
        }
        if (Files.exists(path) || Files.isSymbolicLink(path)) {
            BasicFileAttributes a = RegularFiles.attributes(path);
            if (a.isRegularFile()) {
                return new DataLocation(location, name, true, List.of(DataFiles.locate(path, name, rowAxes)), rowAxes);
            }
            if (!a.isDirectory()) {
                throw new MalformedFileException(
                        location,
                        "is " + RegularFiles.kind(path, a) + ", not a regular file; saekit reads"
                                + " data from regular files, or from a directory or glob of them");
            }
            if (Files.isRegularFile(path.resolve(ActivationManifest.FILE_NAME))) {
                ActivationDirectory.Selection tap = ActivationDirectory.select(path, name);
                return shards(tap.description(), tap.files(), null, rowAxes);
            }
        } else if (!ShardFiles.isGlob(location)) {
            throw new NoSuchFileException(location);
        }
        return shards(location, ShardFiles.resolve(location), name, rowAxes);
    }

    /** The shards {@code files}, in this order (see {@link #open}). */
    public static DataLocation of(List<Path> files, String name, int rowAxes) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("files is empty; a data location needs at least one file");
        }
        return shards(
                files.size() == 1 ? files.get(0).toString() : files.get(0) + " and " + (files.size() - 1) + " more",
                files,
                name,
                rowAxes);
    }

    private static DataLocation shards(String location, List<Path> files, String name, int rowAxes) throws IOException {
        List<StoredArray> arrays = new ArrayList<>(files.size());
        for (Path f : files) {
            StoredArray a = DataFiles.locate(f, name, rowAxes);
            if (!arrays.isEmpty() && a.layout().cols() != arrays.get(0).layout().cols()) {
                StoredArray first = arrays.get(0);
                throw new IllegalArgumentException("shard " + a.source() + " has shape "
                        + Arrays.toString(a.info().shape())
                        + " (rows of width " + a.layout().cols() + ") but shard " + first.source() + " has shape "
                        + Arrays.toString(first.info().shape()) + " (width "
                        + first.layout().cols()
                        + "); all shards need the same width");
            }
            arrays.add(a);
        }
        return new DataLocation(location, name, false, arrays, rowAxes);
    }

    /**
     * The shards that hold rows {@code [from, to)}, as a location of their own with this one's array
     * name and row axes, and in {@code offset[0]} the row where the first of them starts; this
     * location itself (offset 0) when it is one file. For a task that reads only its own rows.
     */
    public DataLocation shardsHolding(long from, long to, long[] offset) throws IOException {
        offset[0] = 0;
        if (singleFile) {
            return this;
        }
        List<Path> files = new ArrayList<>();
        long first = 0;
        for (DataFileInfo a : arrays()) {
            long end = first + a.layout().rows();
            if (end > from && first < to) {
                if (files.isEmpty()) {
                    offset[0] = first;
                }
                files.add(a.path());
            }
            first = end;
        }
        return of(files, name, rowAxes);
    }

    /** The location as given: a file, a directory or a glob. */
    public String location() {
        return location;
    }

    /** Whether this is one file rather than a directory or glob of shards. */
    public boolean isSingleFile() {
        return singleFile;
    }

    /** Each array: its file, format, name, element type, shape and row layout, in row order. */
    public List<DataFileInfo> arrays() {
        return arrays.stream().map(StoredArray::info).toList();
    }

    /** The leading axes that index rows. */
    public int rowAxes() {
        return rowAxes;
    }

    /** Rows of all arrays together. */
    public long rows() {
        return rows;
    }

    /** The width of every array's rows. */
    public long cols() {
        return cols;
    }

    /** The formats of the arrays, in the order first met. */
    public Set<DataFormat> formats() {
        return arrays.stream().map(a -> a.info().format()).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** The element types of the arrays, in the order first met. */
    public Set<ElementType> dtypes() {
        return arrays.stream().map(StoredArray::type).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** How many arrays must be decompressed to be read (deflated {@code .npz} members, IDX {@code .gz}). */
    public int compressedCount() {
        return (int) arrays.stream().filter(StoredArray::compressed).count();
    }

    /**
     * What this is, for logs: the file (with the member or tensor), or
     * {@code acts (3 .npy shards)}, {@code acts/*.npz (2 .npz shards, array 'x')} (when a name was given),
     * {@code acts (3 shards: 2 .npy, 1 .safetensors)}.
     */
    public String describe() {
        if (singleFile) {
            return arrays.get(0).source();
        }
        Map<String, Integer> byFormat = new LinkedHashMap<>();
        arrays.forEach(a -> byFormat.merge(label(a.info().format()), 1, Integer::sum));
        String n = arrays.size() + " ";
        String kinds = byFormat.size() == 1
                ? n + byFormat.keySet().iterator().next() + " shard" + (arrays.size() == 1 ? "" : "s")
                : n + "shards: "
                        + byFormat.entrySet().stream()
                                .map(e -> e.getValue() + " " + e.getKey())
                                .collect(Collectors.joining(", "));
        return location + " (" + kinds + (name == null ? "" : ", array " + Text.quote(name)) + ")";
    }

    /**
     * How the arrays became the matrix: {@code flattened [60000, 28, 28] to 60000 rows x 784} for one
     * array; for several, the same rule over their common shape, {@code *} where they differ:
     * {@code 3 shards of shape [*, 5, 13], flattened to 185 rows x 65 in all}.
     */
    public String layoutText() {
        if (arrays.size() == 1) {
            return arrays.get(0).layout().describe();
        }
        boolean flattened = arrays.stream().anyMatch(a -> a.layout().flattened());
        String matrix = rows + " rows x " + cols + " in all" + (rowAxes > 1 ? " (" + rowAxes + " row axes)" : "");
        return arrays.size() + " shards of shape " + shapePattern() + (flattened ? ", flattened to " : " as ") + matrix;
    }

    /** The arrays' common shape, {@code *} for an axis where they differ; {@code [...]} if their ranks differ. */
    private String shapePattern() {
        long[] first = arrays.get(0).info().shape();
        if (arrays.stream().anyMatch(a -> a.info().shape().length != first.length)) {
            return "[...] (ranks differ)";
        }
        List<String> axes = new ArrayList<>();
        for (int k = 0; k < first.length; k++) {
            int axis = k;
            boolean same = arrays.stream().allMatch(a -> a.info().shape()[axis] == first[axis]);
            axes.add(same ? Long.toString(first[k]) : "*");
        }
        return "[" + String.join(", ", axes) + "]";
    }

    /**
     * Statistics of every value as stored, from one sequential pass in bounded memory (one block of
     * values at a time; a compressed array is inflated as it is read). Values are not checked: NaN
     * and infinities are counted. The end of each array is checked as it is reached (trailing bytes,
     * CRC-32, a short stream).
     */
    public ValueStats statistics() throws IOException {
        ValueStats.Accumulator acc = new ValueStats.Accumulator();
        for (StoredArray a : arrays) {
            double[] values = new double[block(a)];
            try (ValueReader r = new ValueReader(a)) {
                for (int k; (k = r.read(values)) > 0; ) {
                    acc.add(values, k);
                }
            }
        }
        return acc.result();
    }

    /**
     * The mean row, from one sequential pass that checks every value against {@code target} first
     * (so a bad value is reported as the file holds it): column sums in float64, divided by the
     * rows, rounded to {@code target}. Also checks each array's end, as {@link #statistics()} does.
     */
    public INDArray meanRow(DType target) throws IOException {
        int width = requireWidth();
        double[] sums = new double[width];
        for (StoredArray a : arrays) {
            double[] values = new double[block(a)];
            try (ValueReader r = new ValueReader(a)) {
                for (int k; (k = r.read(values)) > 0; ) {
                    long first = r.position() - k;
                    ValueCheck.check(a, target, first, values, k);
                    if (a.fortranOrder()) {
                        for (int i = 0; i < k; i++) {
                            sums[(int) (a.cIndex(first + i) % width)] += values[i];
                        }
                    } else {
                        int col = (int) (first % width);
                        for (int i = 0; i < k; i++) {
                            sums[col] += values[i];
                            col = col + 1 == width ? 0 : col + 1;
                        }
                    }
                }
            }
        }
        for (int j = 0; j < width; j++) {
            sums[j] = rows == 0 ? 0 : sums[j] / rows;
        }
        return Tensors.fromFlat(target, sums, width);
    }

    /**
     * Checks every value against {@code target} and every array's integrity to its end (sizes,
     * CRC-32 of zip members, trailing bytes) in one sequential pass in bounded memory: the pass to
     * run before training on streamed data, whose mapped reads do not check a stored member's
     * CRC-32. It is the pass of {@link #meanRow(DType)}, whose result it drops.
     */
    public void check(DType target) throws IOException {
        meanRow(target);
    }

    /** Receives the rows of a data location in blocks. */
    public interface RowBlockConsumer {
        /**
         * {@code rows} ({@code [k, cols]}, C order, the dtype asked for) are rows
         * {@code firstRow .. firstRow + k - 1} of the location. The array is reused for the next
         * block: copy what must be kept.
         */
        void accept(long firstRow, INDArray rows) throws IOException;
    }

    /**
     * Streams the rows in order, in blocks of at most {@code blockRows} rows (a block does not span
     * two shards), in bounded memory: one block on the Java heap and one as a native array. Each
     * value is checked against {@code target} before it is converted ({@link DataValueException});
     * each array's end is checked as it is reached. Fortran-order {@code .npy} data has no rows in
     * storage order and is refused: {@link #load(DType)} reads it, or re-save it in C order.
     */
    public void forEachRowBlock(DType target, int blockRows, RowBlockConsumer consumer) throws IOException {
        forEachRowBlock(target, blockRows, true, consumer);
    }

    /**
     * {@link #forEachRowBlock(DType, int, RowBlockConsumer)}, with the value check only when
     * {@code checkValues}: without it a NaN or an infinity reaches the consumer as it is stored, for a
     * caller that handles bad rows itself (encode's {@code --bad-rows skip}). The arrays' integrity
     * is checked either way.
     */
    public void forEachRowBlock(DType target, int blockRows, boolean checkValues, RowBlockConsumer consumer)
            throws IOException {
        if (blockRows <= 0) {
            throw new IllegalArgumentException("blockRows must be > 0, was " + blockRows);
        }
        int width = requireWidth();
        for (StoredArray a : arrays) {
            if (a.fortranOrder()) {
                throw new IllegalArgumentException(
                        a.source() + " (shape " + Arrays.toString(a.info().shape()) + ") is stored in"
                                + " Fortran (column-major) order, which cannot be streamed by rows: read it into memory, or save it with"
                                + " numpy.save(path, numpy.ascontiguousarray(a))");
            }
        }
        int capacity = (int) Math.min(blockRows, Math.max(1, rows));
        RowBlock block = new RowBlock(target, capacity, width);
        double[] values = new double[Math.toIntExact(Math.multiplyExact((long) capacity, width))];
        Buffers arrays = new Buffers(target);
        long firstRow = 0;
        for (StoredArray a : this.arrays) {
            try (ValueReader r = new ValueReader(a)) {
                for (int k; (k = r.read(values)) > 0; ) {
                    if (checkValues) {
                        ValueCheck.check(a, target, r.position() - k, values, k);
                    }
                    block.set(values, k);
                    int n = k / width;
                    INDArray out = arrays.get("rows", n, width);
                    block.copyTo(out, n);
                    consumer.accept(firstRow, out);
                    firstRow += n;
                }
            }
        }
    }

    /**
     * Every row read into one in-memory {@code [rows, cols]} matrix of {@code target}, each value
     * checked against it first; a {@link DataTooLargeException} before anything is allocated if it
     * has more values than one in-memory array holds.
     */
    public INDArray load(DType target) throws IOException {
        return MatrixLoader.load(arrays, rows, cols, target, true, describe());
    }

    /** Checks, from the headers, that {@link #load} can hold the matrix: a {@link DataTooLargeException} if not. */
    public void requireLoadable(DType target) {
        MatrixLoader.requireFits(describe(), rows, cols, target);
    }

    /** The arrays, for the data sets built on this location. */
    List<StoredArray> stored() {
        return Collections.unmodifiableList(arrays);
    }

    /** The width as an int: rows wider than one Java array are refused. */
    private int requireWidth() {
        if (cols > MatrixLoader.MAX_VALUES) {
            throw new DataTooLargeException(
                    describe() + " has rows of width " + cols + " (" + layoutText() + "), more values than"
                            + " one row in memory can hold (" + MatrixLoader.MAX_VALUES
                            + "); read it with more row axes, so that rows are"
                            + " narrower",
                    rows,
                    cols,
                    Long.MAX_VALUE);
        }
        return (int) cols;
    }

    /** Values per block of a sequential pass over {@code a}: 64 K, or fewer for a smaller array. */
    private static int block(StoredArray a) {
        return (int) Math.min(ValueReader.BLOCK, Math.max(1, a.elements()));
    }

    private static String label(DataFormat format) {
        switch (format) {
            case IDX:
                return "IDX";
            case IDX_GZIP:
                return "IDX .gz";
            default:
                return "." + format.label();
        }
    }

    @Override
    public String toString() {
        return "DataLocation[" + describe() + ", " + rows + " x " + cols + "]";
    }
}
