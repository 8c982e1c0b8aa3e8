package dev.saekit.io;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads "the matrix" of a data file whatever its format: {@code .npy}, {@code .npz}, safetensors or
 * IDX (plain or gzip-compressed). The format is found from the first bytes of the file; the name's
 * extension only decides between formats whose magic bytes both fit, and picks the reader that
 * explains what is wrong with a file whose magic bytes are broken. An {@code .npz} or safetensors
 * file with one array gives that array; with several, the caller names one, and an error lists the
 * names. The array becomes a matrix by the one rule of {@link RowLayout}: the first
 * {@code rowAxes} axes (1 by default) index rows and the others flatten into each row
 * ({@code [60000, 28, 28]} to 60000 x 784; {@code [n, t, d]} with {@code rowAxes} 2 to
 * {@code [n*t, d]}; {@code [n]} to {@code [n, 1]}).
 *
 * <p>Only regular files are opened (a FIFO would block forever). Defects of a file are
 * {@link MalformedFileException}s; a missing, unknown or superfluous name, or more row axes than
 * the array has, is an {@link ArraySelectionException} that says what the file holds. A matrix
 * with more values than one in-memory array holds is a {@link DataTooLargeException}, raised before
 * anything is allocated; stream such data with {@link ShardedDataset} or {@link DataLocation}.
 */
public final class DataFiles {
    private static final int PROBE = 16;

    private DataFiles() {}

    /** The format of {@code file}, from its magic bytes (and, where those are ambiguous or broken, its extension). */
    public static DataFormat detect(Path file) throws IOException {
        String source = file.toString();
        byte[] head;
        long size;
        try (FileChannel ch = RegularFiles.open(file)) {
            size = ch.size();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(PROBE, size));
            while (buf.hasRemaining() && ch.read(buf, buf.position()) >= 0) {
                // fills the probe
            }
            head = Arrays.copyOf(buf.array(), buf.position());
        }
        if (head.length == 0) {
            throw new MalformedFileException(source, "the file is empty");
        }
        if (startsWith(head, 0x93, 'N', 'U', 'M', 'P', 'Y')) {
            return DataFormat.NPY;
        }
        if (startsWith(head, 'P', 'K', 3, 4) || startsWith(head, 'P', 'K', 5, 6)) {
            return DataFormat.NPZ;
        }
        if (startsWith(head, 0x1F, 0x8B)) {
            return DataFormat.IDX_GZIP;
        }
        boolean safetensors = looksLikeSafetensors(head, size);
        boolean idx = looksLikeIdx(head);
        DataFormat byName = byExtension(file);
        if (safetensors && idx) {
            return byName == DataFormat.SAFETENSORS ? DataFormat.SAFETENSORS : DataFormat.IDX;
        }
        if (safetensors || idx) {
            return safetensors ? DataFormat.SAFETENSORS : DataFormat.IDX;
        }
        if (byName != null) {
            return byName; // its reader says what is wrong with the magic bytes
        }
        throw new MalformedFileException(
                source,
                "not a data file saekit reads: it starts with " + hex(head)
                        + "; accepted: .npy, .npz, .safetensors and IDX files (plain or .gz)");
    }

    /** The stored type and shape of the array {@code name} (null for a file's only array), without reading the data. */
    public static DataFileInfo info(Path file, String name) throws IOException {
        return info(file, name, RowLayout.DEFAULT_ROW_AXES);
    }

    /** The same, with the first {@code rowAxes} axes indexing rows. */
    public static DataFileInfo info(Path file, String name, int rowAxes) throws IOException {
        return locate(file, name, rowAxes).info();
    }

    /** The matrix of {@code file}'s only array. */
    public static DataMatrix read(Path file) throws IOException {
        return read(file, null);
    }

    /** The matrix of the array {@code name} of {@code file} (null for the file's only array). */
    public static DataMatrix read(Path file, String name) throws IOException {
        return read(file, name, RowLayout.DEFAULT_ROW_AXES);
    }

    /**
     * The matrix of the array {@code name} of {@code file}, the first {@code rowAxes} axes indexing
     * rows, in the float32 or float64 its element type reads into exactly
     * ({@link ElementType#readDType()}), values as stored (NaN included).
     */
    public static DataMatrix read(Path file, String name, int rowAxes) throws IOException {
        StoredArray a = locate(file, name, rowAxes);
        RowLayout l = a.layout();
        return new DataMatrix(
                MatrixLoader.load(List.of(a), l.rows(), l.cols(), a.type().readDType(), false, a.source()), a.info());
    }

    /**
     * The matrix of the array {@code name} of {@code file} read into {@code target} for training:
     * each value is checked as stored, before conversion ({@link NonFiniteValueException},
     * {@link ValueOutOfRangeException}, naming the file, row, column and stored index).
     */
    public static DataMatrix load(Path file, String name, int rowAxes, DType target) throws IOException {
        StoredArray a = locate(file, name, rowAxes);
        RowLayout l = a.layout();
        return new DataMatrix(MatrixLoader.load(List.of(a), l.rows(), l.cols(), target, true, a.source()), a.info());
    }

    /** Where the array {@code name} of {@code file} lies, with {@code rowAxes} leading axes as rows; only headers are read. */
    static StoredArray locate(Path file, String name, int rowAxes) throws IOException {
        DataFormat format = detect(file);
        StoredArray a;
        switch (format) {
            case NPY:
                requireNoName(file, format, name);
                a = Npy.locate(file);
                break;
            case NPZ: {
                Map<String, StoredArray> arrays = Npz.locate(file);
                a = arrays.get(choose(file, "array", name, describe(arrays)));
                break;
            }
            case SAFETENSORS: {
                SafetensorsFile st = Safetensors.header(file);
                Map<String, StoredArray> arrays = new LinkedHashMap<>();
                for (String n : st.tensors().keySet()) {
                    arrays.put(n, st.locate(n));
                }
                a = arrays.get(choose(file, "tensor", name, describe(arrays)));
                break;
            }
            default:
                requireNoName(file, format, name);
                a = Idx.locate(file);
                break;
        }
        return withRowAxes(a, rowAxes);
    }

    /** {@code a} with {@code rowAxes} leading axes as rows; too many for its shape is an error naming the file. */
    static StoredArray withRowAxes(StoredArray a, int rowAxes) {
        if (rowAxes == a.info().rowAxes()) {
            return a;
        }
        long[] shape = a.info().shape();
        if (rowAxes < 1 || rowAxes > Math.max(1, shape.length)) {
            String axes = shape.length == 1 ? "1 axis" : shape.length + " axes";
            throw new ArraySelectionException(a.source() + " holds shape " + Arrays.toString(shape) + " (" + axes
                    + "); row axes " + rowAxes + " needs "
                    + (rowAxes < 1 ? "to be at least 1" : "an array of at least " + rowAxes + " axes"));
        }
        return a.withRowAxes(rowAxes);
    }

    /** The array as stored (its own shape, C order) in its read dtype, values unchecked: what the format readers return. */
    static INDArray asStored(StoredArray a) throws IOException {
        long[] shape = a.info().shape();
        DType target = a.type().readDType();
        INDArray m = MatrixLoader.load(List.of(a), a.layout().rows(), a.layout().cols(), target, false, a.source());
        if (shape.length == 0) {
            return Tensors.scalar(target, m.getDouble(0));
        }
        if (m.length() == 0) {
            return Tensors.zeros(target, shape);
        }
        return shape.length == 2 ? m : m.reshape('c', shape);
    }

    private static void requireNoName(Path file, DataFormat format, String name) {
        if (name != null) {
            throw new ArraySelectionException(
                    file + " is an " + format.label() + " file with one unnamed array; a name ('" + name
                            + "') only chooses among the arrays of an .npz or safetensors file");
        }
    }

    /** {@code name}, or the only name when it is null; the error lists {@code available} (name to description). */
    private static String choose(Path file, String what, String name, Map<String, String> available)
            throws MalformedFileException {
        if (available.isEmpty()) {
            throw new MalformedFileException(file.toString(), "the file holds no " + what + "s");
        }
        if (name == null && available.size() == 1) {
            return available.keySet().iterator().next();
        }
        if (name != null && available.containsKey(name)) {
            return name;
        }
        String list = available.entrySet().stream()
                        .limit(SafetensorsFile.NAMES_SHOWN)
                        .map(e -> e.getKey() + " " + e.getValue())
                        .collect(Collectors.joining(", "))
                + (available.size() > SafetensorsFile.NAMES_SHOWN ? ", ..." : "");
        throw new ArraySelectionException((name == null
                        ? file + " holds " + available.size() + " " + what + "s; choose one by name"
                        : "no " + what + " '" + name + "' in " + file + "; it holds " + available.size() + " " + what
                                + (available.size() == 1 ? "" : "s"))
                + ": " + list);
    }

    private static Map<String, String> describe(Map<String, StoredArray> arrays) {
        Map<String, String> described = new LinkedHashMap<>();
        arrays.forEach((k, a) ->
                described.put(k, a.type() + " " + Arrays.toString(a.info().shape())));
        return described;
    }

    /** An 8-byte little-endian length N that fits in the file, followed by '{'. */
    private static boolean looksLikeSafetensors(byte[] head, long size) {
        if (head.length < 9 || head[8] != '{') {
            return false;
        }
        long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return n > 0 && n <= size - 8;
    }

    /** {@code 00 00 TYPE RANK} with a known type and a rank of 1 to 32. */
    private static boolean looksLikeIdx(byte[] head) {
        if (head.length < 4 || head[0] != 0 || head[1] != 0) {
            return false;
        }
        int type = head[2] & 0xFF;
        int rank = head[3] & 0xFF;
        return (type == 0x08 || type == 0x09 || (type >= 0x0B && type <= 0x0E))
                && rank >= 1
                && rank <= NpyHeaderParser.MAX_RANK;
    }

    private static DataFormat byExtension(Path file) {
        String name =
                file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npy")) {
            return DataFormat.NPY;
        }
        if (name.endsWith(".npz")) {
            return DataFormat.NPZ;
        }
        if (name.endsWith(".safetensors")) {
            return DataFormat.SAFETENSORS;
        }
        if (name.endsWith(".gz")) {
            return DataFormat.IDX_GZIP;
        }
        if (name.endsWith(".idx") || name.matches(".*idx\\d-[a-z]+")) { // MNIST's train-images-idx3-ubyte
            return DataFormat.IDX;
        }
        return null;
    }

    private static boolean startsWith(byte[] head, int... prefix) {
        if (head.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if ((head[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, 8); i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%02X", bytes[i] & 0xFF));
        }
        return sb.toString();
    }
}
