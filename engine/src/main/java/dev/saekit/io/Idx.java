package dev.saekit.io;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * IDX files, the format of MNIST and Fashion-MNIST ({@code train-images-idx3-ubyte}): a magic
 * number {@code 00 00 TYPE RANK}, RANK big-endian int32 dimensions, then the data, big-endian, in C
 * order. TYPE is {@code 08} uint8, {@code 09} int8, {@code 0B} int16, {@code 0C} int32, {@code 0D}
 * float32 or {@code 0E} float64; the result is float32 or float64 as {@link ElementType#readDType()}
 * says (pixels, uint8, become float32 0..255). A gzip-compressed file ({@code .gz}, found by its
 * magic bytes {@code 1F 8B}) is read the same way.
 *
 * <p>Safe on untrusted files: dimensions are checked and multiplied exactly; a plain file's length
 * must equal what its header declares before anything is allocated; a compressed file is read
 * into memory only as its bytes arrive, and decompressing more than the header declares is an
 * error at the first extra byte (a gzip bomb stops there). Every defect is one
 * {@link MalformedFileException}.
 */
public final class Idx {
    private static final int GZIP_MAGIC = 0x1F8B;
    private static final int CHUNK = 1 << 20;

    private Idx() {
    }

    /** The header of {@code file}, checked (for a plain file, against the file's length) without reading the data. */
    public static IdxHeader header(Path file) throws IOException {
        String source = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (isGzip(ch)) {
                try (InputStream in = gunzip(Channels.newInputStream(ch), source)) {
                    return readHeader(in, source, true);
                } catch (ZipException | EOFException e) {
                    throw new MalformedFileException(source, "corrupt gzip data: " + e.getMessage());
                }
            }
            IdxHeader h = readHeader(Channels.newInputStream(ch), source, false);
            requireLength(h, ch.size(), source);
            return h;
        }
    }

    /** The array in {@code file}, gzip-compressed or not. */
    public static INDArray read(Path file) throws IOException {
        String source = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (isGzip(ch)) {
                return readCompressed(gunzip(Channels.newInputStream(ch), source), source);
            }
            InputStream in = Channels.newInputStream(ch); // not closed here: closing it would close the channel
            IdxHeader h = readHeader(in, source, false);
            requireLength(h, ch.size(), source);
            return decode(h, new BufferedInputStream(in, CHUNK), source);
        }
    }

    private static INDArray readCompressed(InputStream in, String source) throws IOException {
        try (in) {
            IdxHeader h = readHeader(in, source, true);
            long expected = h.dataBytes();
            if (expected > Npy.MAX_ELEMENTS) {
                throw new MalformedFileException(source, "the header declares " + expected + " bytes of data, more than a"
                        + " compressed file can be read into memory; decompress it first");
            }
            byte[] data = in.readNBytes((int) expected); // grows chunk by chunk, never to more than is present
            if (data.length < expected) {
                throw sizeMismatch(source, h, "decompresses to " + data.length + " bytes after the header");
            }
            if (in.read() >= 0) {
                throw sizeMismatch(source, h, "decompresses to more bytes than that");
            }
            return decode(h, new ByteArrayInputStream(data), source);
        } catch (ZipException | EOFException e) {
            throw new MalformedFileException(source, "corrupt gzip data: " + e.getMessage());
        }
    }

    private static boolean isGzip(FileChannel ch) throws IOException {
        ByteBuffer two = ByteBuffer.allocate(2);
        while (two.hasRemaining() && ch.read(two, two.position()) >= 0) {
            // reads at most two bytes
        }
        return two.position() == 2 && (two.getShort(0) & 0xFFFF) == GZIP_MAGIC;
    }

    private static InputStream gunzip(InputStream in, String source) throws IOException {
        try {
            return new GZIPInputStream(in, 1 << 16);
        } catch (ZipException | EOFException e) {
            throw new MalformedFileException(source, "corrupt gzip header: " + e.getMessage());
        }
    }

    /** The magic number and dimensions; {@code compressed} only says what the header records. */
    private static IdxHeader readHeader(InputStream in, String source, boolean compressed) throws IOException {
        String where = compressed ? " of the decompressed data" : "";
        byte[] magic = in.readNBytes(4);
        if (magic.length == 0) {
            throw new MalformedFileException(source, compressed ? "the file decompresses to nothing" : "the file is empty");
        }
        if (magic.length < 4 || magic[0] != 0 || magic[1] != 0) {
            throw new MalformedFileException(source, "not an IDX file: expected the magic number 00 00 TYPE RANK at byte 0"
                    + where + ", found " + hex(magic));
        }
        ElementType type = type(magic[2]);
        if (type == null) {
            throw new MalformedFileException(source, String.format("unknown IDX type code 0x%02X at byte 2%s; accepted: "
                    + "08 uint8, 09 int8, 0B int16, 0C int32, 0D float32, 0E float64", magic[2] & 0xFF, where));
        }
        int rank = magic[3] & 0xFF;
        if (rank == 0 || rank > NpyHeaderParser.MAX_RANK) {
            throw new MalformedFileException(source, "the IDX rank at byte 3" + where + " is " + rank + "; saekit reads 1 to "
                    + NpyHeaderParser.MAX_RANK + " dimensions");
        }
        byte[] dims = in.readNBytes(4 * rank);
        if (dims.length < 4 * rank) {
            throw new MalformedFileException(source, "the file ends at byte " + (4 + dims.length) + where + ", inside the "
                    + rank + " dimensions of the header");
        }
        ByteBuffer b = ByteBuffer.wrap(dims).order(ByteOrder.BIG_ENDIAN);
        long[] shape = new long[rank];
        long count = 1;
        for (int k = 0; k < rank; k++) {
            shape[k] = b.getInt() & 0xFFFF_FFFFL; // unsigned, so an absurd size reads as absurd rather than negative
            try {
                count = Math.multiplyExact(count, shape[k]);
                Math.multiplyExact(count, type.size());
            } catch (ArithmeticException e) {
                throw new MalformedFileException(source, "the dimensions at byte 4" + where + " multiply to more bytes than a"
                        + " signed 64-bit count can hold");
            }
        }
        return new IdxHeader(type, shape, compressed);
    }

    private static void requireLength(IdxHeader h, long fileSize, String source) throws MalformedFileException {
        long present = fileSize - h.headerBytes();
        if (present != h.dataBytes()) {
            throw sizeMismatch(source, h, "has " + present + " bytes after the header");
        }
    }

    /** Reads the data of {@code h} from {@code in} into a new array; {@code in} holds at least that much. */
    private static INDArray decode(IdxHeader h, InputStream in, String source) throws IOException {
        long n = h.elementCount();
        if (n > Npy.MAX_ELEMENTS) {
            throw new MalformedFileException(source, "shape " + Arrays.toString(h.shape()) + " has " + n
                    + " elements, more than the " + Npy.MAX_ELEMENTS + " one array can hold in memory");
        }
        ElementType type = h.type();
        DType target = type.readDType();
        if (n == 0) {
            return Tensors.zeros(target, h.shape());
        }
        float[] floats = target == DType.FLOAT32 ? new float[(int) n] : null;
        double[] doubles = target == DType.FLOAT64 ? new double[(int) n] : null;
        byte[] chunk = new byte[(int) Math.min(CHUNK, h.dataBytes())];
        int done = 0;
        long remaining = h.dataBytes();
        while (remaining > 0) {
            int want = (int) Math.min(chunk.length, remaining);
            int got = in.readNBytes(chunk, 0, want);
            if (got < want) {
                throw new MalformedFileException(source, "the file ends inside the data, " + (h.dataBytes() - remaining + got)
                        + " bytes after the header; it changed while being read");
            }
            ByteBuffer buf = ByteBuffer.wrap(chunk, 0, want).order(ByteOrder.BIG_ENDIAN);
            int count = want / type.size();
            for (int i = 0; i < count; i++, done++) {
                double v = type.readDouble(buf);
                if (floats != null) {
                    floats[done] = (float) v;
                } else {
                    doubles[done] = v;
                }
            }
            remaining -= want;
        }
        return floats != null ? Tensors.fromFlat(target, floats, h.shape()) : Tensors.fromFlat(target, doubles, h.shape());
    }

    private static ElementType type(byte code) {
        switch (code) {
            case 0x08: return ElementType.UINT8;
            case 0x09: return ElementType.INT8;
            case 0x0B: return ElementType.INT16;
            case 0x0C: return ElementType.INT32;
            case 0x0D: return ElementType.FLOAT32;
            case 0x0E: return ElementType.FLOAT64;
            default: return null;
        }
    }

    private static MalformedFileException sizeMismatch(String source, IdxHeader h, String actual) {
        return new MalformedFileException(source, "the header declares " + h.type() + " "
                + Arrays.toString(h.shape()) + " = " + h.dataBytes() + " bytes of data but the file " + actual);
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02X", b & 0xFF));
        }
        return sb.toString();
    }
}
