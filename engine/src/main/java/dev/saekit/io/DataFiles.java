package dev.saekit.io;

import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads "the matrix" of a data file whatever its format: {@code .npy}, {@code .npz}, safetensors or
 * IDX (plain or gzip-compressed). The format is found from the first bytes of the file; the name's
 * extension only decides between formats whose magic bytes both fit, and picks the reader that
 * explains what is wrong with a file whose magic bytes are broken. An {@code .npz} or safetensors
 * file with one array gives that array; with several, the caller names one, and an error lists the
 * names. The array becomes a matrix as {@link DataFileInfo} describes ({@code [n, t, d]} to
 * {@code [n*t, d]}, {@code [n]} to {@code [n, 1]}), in the float32 or float64 its element type reads
 * into ({@link ElementType#readDType()}).
 *
 * <p>Defects of a file are {@link MalformedFileException}s; a missing, unknown or superfluous
 * name is an {@link IllegalArgumentException} that says what the file holds.
 */
public final class DataFiles {
    private static final int PROBE = 16;

    private DataFiles() {
    }

    /** The format of {@code file}, from its magic bytes (and, where those are ambiguous or broken, its extension). */
    public static DataFormat detect(Path file) throws IOException {
        String source = file.toString();
        byte[] head;
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
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
        throw new MalformedFileException(source, "not a data file saekit reads: it starts with " + hex(head)
                + "; accepted: .npy, .npz, .safetensors and IDX files (plain or .gz)");
    }

    /** The stored type and shape of the array {@code name} (null for a file's only array), without reading the data. */
    public static DataFileInfo info(Path file, String name) throws IOException {
        DataFormat format = detect(file);
        switch (format) {
            case NPY: {
                requireNoName(file, format, name);
                NpyHeader h = Npy.header(file);
                return new DataFileInfo(file, format, null, ElementType.ofNpy(h.descr()), h.shape());
            }
            case NPZ: {
                Map<String, NpyHeader> headers = Npz.headers(file);
                String chosen = choose(file, "array", name, describe(headers, h -> ElementType.ofNpy(h.descr()), NpyHeader::shape));
                NpyHeader h = headers.get(chosen);
                return new DataFileInfo(file, format, chosen, ElementType.ofNpy(h.descr()), h.shape());
            }
            case SAFETENSORS: {
                Map<String, TensorEntry> tensors = Safetensors.header(file).tensors();
                String chosen = choose(file, "tensor", name, describe(tensors, TensorEntry::dtype, TensorEntry::shape));
                TensorEntry e = tensors.get(chosen);
                return new DataFileInfo(file, format, chosen, e.dtype(), e.shape());
            }
            default: {
                requireNoName(file, format, name);
                IdxHeader h = Idx.header(file);
                return new DataFileInfo(file, format, null, h.type(), h.shape());
            }
        }
    }

    /** The matrix of {@code file}'s only array. */
    public static DataMatrix read(Path file) throws IOException {
        return read(file, null);
    }

    /** The matrix of the array {@code name} of {@code file} (null for the file's only array). */
    public static DataMatrix read(Path file, String name) throws IOException {
        DataFileInfo info = info(file, name);
        INDArray raw;
        switch (info.format()) {
            case NPY: raw = Npy.read(file); break;
            case NPZ: raw = Npz.read(file, info.name()); break;
            case SAFETENSORS: raw = Safetensors.header(file).read(info.name()); break;
            default: raw = Idx.read(file); break;
        }
        if (!Arrays.equals(raw.shape(), info.shape()) && raw.length() > 0) {
            throw new MalformedFileException(file.toString(), "the file changed while being read: shape "
                    + Arrays.toString(info.shape()) + " became " + Arrays.toString(raw.shape()));
        }
        long rows = info.rows();
        long cols = info.cols();
        INDArray matrix;
        if (raw.length() == 0) {
            matrix = Tensors.zeros(Tensors.dtypeOf(raw), rows, cols);
        } else if (raw.rank() == 2) {
            matrix = raw;
        } else {
            matrix = raw.reshape('c', rows, cols);
        }
        return new DataMatrix(matrix, info);
    }

    private static void requireNoName(Path file, DataFormat format, String name) {
        if (name != null) {
            throw new IllegalArgumentException(file + " is an " + format.label() + " file with one unnamed array; a name ('"
                    + name + "') only chooses among the arrays of an .npz or safetensors file");
        }
    }

    /** {@code name}, or the only name when it is null; the error lists {@code available} (name to description). */
    private static String choose(Path file, String what, String name, Map<String, String> available) throws MalformedFileException {
        if (available.isEmpty()) {
            throw new MalformedFileException(file.toString(), "the file holds no " + what + "s");
        }
        if (name == null && available.size() == 1) {
            return available.keySet().iterator().next();
        }
        if (name != null && available.containsKey(name)) {
            return name;
        }
        String list = available.entrySet().stream().limit(SafetensorsFile.NAMES_SHOWN)
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))
                + (available.size() > SafetensorsFile.NAMES_SHOWN ? ", ..." : "");
        throw new IllegalArgumentException((name == null ? file + " holds " + available.size() + " " + what + "s; choose one by name"
                : "no " + what + " '" + name + "' in " + file + "; it holds " + available.size() + " " + what
                + (available.size() == 1 ? "" : "s")) + ": " + list);
    }

    private static <T> Map<String, String> describe(Map<String, T> items, Function<T, ElementType> dtype,
            Function<T, long[]> shape) {
        Map<String, String> described = new LinkedHashMap<>();
        items.forEach((k, v) -> described.put(k, dtype.apply(v) + " " + Arrays.toString(shape.apply(v))));
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
        return (type == 0x08 || type == 0x09 || (type >= 0x0B && type <= 0x0E)) && rank >= 1 && rank <= NpyHeaderParser.MAX_RANK;
    }

    private static DataFormat byExtension(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
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
