package dev.saekit.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * IDX files, the format of MNIST and Fashion-MNIST ({@code train-images-idx3-ubyte}): a magic
 * number {@code 00 00 TYPE RANK}, RANK big-endian int32 dimensions, then the data, big-endian, in C
 * order. TYPE is {@code 08} uint8, {@code 09} int8, {@code 0B} int16, {@code 0C} int32, {@code 0D}
 * float32 or {@code 0E} float64; the result is float32 or float64 as {@link ElementType#readDType()}
 * says (pixels, uint8, become float32 0..255). A gzip-compressed file ({@code .gz}, found by its
 * magic bytes {@code 1F 8B}) is read the same way, decompressed as it is read ({@link GzipInput}).
 *
 * <p>Safe on untrusted files: dimensions are checked and multiplied exactly; a plain file's length
 * must equal what its header declares before anything is allocated; a compressed file must be
 * able to decompress to what its header declares (deflate expands at most 1032-fold), and reading
 * it checks that it decompresses to exactly that, with nothing after the gzip stream (a gzip bomb
 * stops at its first extra byte). Every defect is one {@link MalformedFileException}.
 */
public final class Idx {
    private static final int GZIP_MAGIC = 0x1F8B;
    /** Deflate's largest expansion, 1032 to 1, with room for a small file's headers. */
    private static final long MAX_INFLATION = 1032;

    private Idx() {}

    /** The header of {@code file}, checked (for a plain file, against the file's length) without reading the data. */
    public static IdxHeader header(Path file) throws IOException {
        StoredArray a = locate(file);
        return new IdxHeader(a.type(), a.info().shape(), a.compressed());
    }

    /** The array in {@code file}, gzip-compressed or not. */
    public static INDArray read(Path file) throws IOException {
        return DataFiles.asStored(locate(file));
    }

    /** Where the array of {@code file} lies, its header checked against the file; only the header is read. */
    static StoredArray locate(Path file) throws IOException {
        String source = file.toString();
        IdxHeader h;
        long size;
        boolean gzip;
        try (FileChannel ch = RegularFiles.open(file)) {
            size = ch.size();
            gzip = isGzip(ch);
            if (!gzip) {
                h = readHeader(Channels.newInputStream(ch), source, false);
                requireLength(h, size, source);
            } else {
                h = null;
            }
        }
        if (gzip) {
            try (GzipInput in = new GzipInput(RegularFiles.open(file), source)) {
                h = readHeader(in, source, true);
            }
            if (h.dataBytes() > MAX_INFLATION * size + 1024) {
                throw new MalformedFileException(
                        source,
                        "the header declares " + h.type() + " " + Arrays.toString(h.shape()) + " = "
                                + h.dataBytes() + " bytes of data, more than a gzip file of " + size
                                + " bytes can decompress to"
                                + " (deflate expands at most 1032-fold)");
            }
        }
        DataFileInfo info =
                new DataFileInfo(file, gzip ? DataFormat.IDX_GZIP : DataFormat.IDX, null, h.type(), h.shape());
        StoredArray.Encoding encoding =
                gzip ? new StoredArray.Gzipped(h.headerBytes()) : new StoredArray.InPlace(h.headerBytes(), null);
        return new StoredArray(info, ByteOrder.BIG_ENDIAN, false, encoding);
    }

    private static boolean isGzip(FileChannel ch) throws IOException {
        ByteBuffer two = ByteBuffer.allocate(2);
        while (two.hasRemaining() && ch.read(two, two.position()) >= 0) {
            // reads at most two bytes
        }
        return two.position() == 2 && (two.getShort(0) & 0xFFFF) == GZIP_MAGIC;
    }

    /** The magic number and dimensions; {@code compressed} only says what the header records. */
    private static IdxHeader readHeader(InputStream in, String source, boolean compressed) throws IOException {
        String where = compressed ? " of the decompressed data" : "";
        byte[] magic = in.readNBytes(4);
        if (magic.length == 0) {
            throw new MalformedFileException(
                    source, compressed ? "the file decompresses to nothing" : "the file is empty");
        }
        if (magic.length < 4 || magic[0] != 0 || magic[1] != 0) {
            throw new MalformedFileException(
                    source,
                    "not an IDX file: expected the magic number 00 00 TYPE RANK at byte 0" + where + ", found "
                            + hex(magic));
        }
        ElementType type = type(magic[2]);
        if (type == null) {
            throw new MalformedFileException(
                    source,
                    String.format(
                            "unknown IDX type code 0x%02X at byte 2%s; accepted: "
                                    + "08 uint8, 09 int8, 0B int16, 0C int32, 0D float32, 0E float64",
                            magic[2] & 0xFF, where));
        }
        int rank = magic[3] & 0xFF;
        if (rank == 0 || rank > NpyHeaderParser.MAX_RANK) {
            throw new MalformedFileException(
                    source,
                    "the IDX rank at byte 3" + where + " is " + rank + "; saekit reads 1 to " + NpyHeaderParser.MAX_RANK
                            + " dimensions");
        }
        byte[] dims = in.readNBytes(4 * rank);
        if (dims.length < 4 * rank) {
            throw new MalformedFileException(
                    source,
                    "the file ends at byte " + (4 + dims.length) + where + ", inside the " + rank
                            + " dimensions of the header");
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
                throw new MalformedFileException(
                        source,
                        "the dimensions at byte 4" + where + " multiply to more bytes than a"
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

    private static ElementType type(byte code) {
        switch (code) {
            case 0x08:
                return ElementType.UINT8;
            case 0x09:
                return ElementType.INT8;
            case 0x0B:
                return ElementType.INT16;
            case 0x0C:
                return ElementType.INT32;
            case 0x0D:
                return ElementType.FLOAT32;
            case 0x0E:
                return ElementType.FLOAT64;
            default:
                return null;
        }
    }

    private static MalformedFileException sizeMismatch(String source, IdxHeader h, String actual) {
        return new MalformedFileException(
                source,
                "the header declares " + h.type() + " " + Arrays.toString(h.shape()) + " = " + h.dataBytes()
                        + " bytes of data but the file " + actual);
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%02X", b & 0xFF));
        }
        return sb.toString();
    }
}
