package dev.saekit.io;

import dev.saekit.files.AtomicFiles;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0).
 *
 * <p>Reading accepts little- and big-endian floats ({@code f2}, {@code f4}, {@code f8}) and
 * integers ({@code i1..i8}, {@code u1..u8}) in C or Fortran order and returns a C-order array of
 * float32 or float64 (see {@link NpyHeader#readDType()}). It is safe on untrusted files: the header
 * dict is parsed, never evaluated, its length is bounded by {@link #MAX_HEADER_BYTES}, sizes are
 * computed with {@link Math#multiplyExact}, and the data length must equal what the header
 * declares before anything is allocated. Every defect is a {@link MalformedFileException}.
 *
 * <p>Writing produces the bytes {@code numpy.save} produces for a float32 or float64 array:
 * format 1.0, little-endian, C order, header padded to a multiple of 64 bytes.
 */
public final class Npy {
    /** The longest header dict {@link #read} accepts (NumPy's own limit is 10,000 bytes). */
    public static final int MAX_HEADER_BYTES = 1 << 20;
    /** The most elements a loaded array may have: the size limit of a Java array. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Bytes moved per read or write; a multiple of every item size, so no element straddles two chunks. */
    private static final int CHUNK = 1 << 20;
    /** The spaces NumPy reserves after the dict so the first dimension can grow in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    private static final int ARRAY_ALIGN = 64;

    private Npy() {}

    /** A parsed header and where the data starts. */
    record Layout(NpyHeader header, long dataOffset) {}

    // ---------------------------------------------------------------- reading

    /** The header of {@code file}, checked against the file's length, without reading the data. */
    public static NpyHeader header(Path file) throws IOException {
        try (FileChannel ch = RegularFiles.open(file)) {
            return open(ch, file.toString()).header();
        }
    }

    /** Where the array of {@code file} lies, its header checked against the file's length; nothing else is read. */
    static StoredArray locate(Path file) throws IOException {
        try (FileChannel ch = RegularFiles.open(file)) {
            Layout layout = open(ch, file.toString());
            NpyHeader h = layout.header();
            DataFileInfo info = new DataFileInfo(file, DataFormat.NPY, null, ElementType.ofNpy(h.descr()), h.shape());
            return new StoredArray(
                    info,
                    NpyType.byteOrder(h.descr()),
                    h.fortranOrder() && h.rank() > 1,
                    new StoredArray.InPlace(layout.dataOffset(), null));
        }
    }

    /** The array in {@code file}. */
    public static INDArray read(Path file) throws IOException {
        String source = file.toString();
        try (FileChannel ch = RegularFiles.open(file)) {
            Layout layout = open(ch, source);
            return decode(layout, ch, source);
        }
    }

    /**
     * The array in {@code in}, read to its end; {@code sourceName} names it in error messages. Memory
     * grows with the bytes actually present, so a header that declares more data than the stream
     * holds fails without a large allocation.
     */
    public static INDArray read(InputStream in, String sourceName) throws IOException {
        Layout layout = readHeader(in, sourceName, -1);
        NpyHeader h = layout.header();
        long expected = h.dataBytes();
        if (expected > MAX_ELEMENTS) {
            throw new MalformedFileException(
                    sourceName,
                    "header declares " + expected + " bytes of data, more than a"
                            + " stream can be read into memory; read it from a file instead");
        }
        byte[] data = in.readNBytes((int) expected); // grows chunk by chunk, never to more than is present
        if (data.length < expected) {
            throw sizeMismatch(sourceName, h, data.length);
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw sizeMismatch(sourceName, h, Math.addExact(expected, extra));
        }
        return decode(layout, Channels.newChannel(new ByteArrayInputStream(data)), sourceName);
    }

    /** Reads and checks the header of {@code ch}, leaving it positioned at the data. */
    private static Layout open(FileChannel ch, String source) throws IOException {
        long size = ch.size();
        // not closed here: closing the stream would close the channel
        Layout layout = readHeader(Channels.newInputStream(ch), source, size);
        NpyHeader h = layout.header();
        long present = size - layout.dataOffset();
        if (present != h.dataBytes()) {
            throw sizeMismatch(source, h, present);
        }
        return layout;
    }

    /**
     * The magic string, version, header length and header dict at the start of {@code in};
     * {@code fileSize} (the bytes {@code in} holds, or -1 if unknown) bounds the header length.
     */
    static Layout readHeader(InputStream in, String source, long fileSize) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        if (prefix.length == 0) {
            throw new MalformedFileException(
                    source, "the file is empty; a .npy file starts with the magic string \\x93NUMPY");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= prefix.length || prefix[i] != MAGIC[i]) {
                throw new MalformedFileException(
                        source,
                        "not a .npy file: expected the magic string \\x93NUMPY at byte 0," + " found "
                                + escape(Arrays.copyOf(prefix, Math.min(prefix.length, MAGIC.length))));
            }
        }
        if (prefix.length < MAGIC.length + 2) {
            throw truncatedAt(source, prefix.length, "the format version");
        }
        int major = prefix[6] & 0xFF;
        int minor = prefix[7] & 0xFF;
        if (minor != 0 || major < 1 || major > 3) {
            throw new MalformedFileException(
                    source,
                    "unsupported .npy format version " + major + "." + minor + " at byte 6; supported: 1.0, 2.0, 3.0");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] lengthField = in.readNBytes(lengthBytes);
        if (lengthField.length < lengthBytes) {
            throw truncatedAt(source, 8 + lengthField.length, "the header length field");
        }
        ByteBuffer lb = ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lb.getShort() & 0xFFFF : lb.getInt() & 0xFFFF_FFFFL;
        long headerStart = 8L + lengthBytes;
        if (headerLength > MAX_HEADER_BYTES) {
            throw new MalformedFileException(
                    source,
                    "the header length field at byte 8 says " + headerLength + " bytes, more than the "
                            + MAX_HEADER_BYTES + " saekit accepts");
        }
        if (fileSize >= 0 && headerStart + headerLength > fileSize) {
            throw new MalformedFileException(
                    source,
                    "the header length field at byte 8 says " + headerLength + " bytes but the file ends "
                            + (fileSize - headerStart) + " bytes after it");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw truncatedAt(
                    source, headerStart + headerBytes.length, "the header (" + headerLength + " bytes declared)");
        }
        Charset charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        String text;
        try {
            text = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new MalformedFileException(source, "the header at byte " + headerStart + " is not valid " + charset);
        }
        NpyHeader header = NpyHeaderParser.parse(text, source, headerStart, charset);
        return new Layout(header, headerStart + headerLength);
    }

    /** Decodes the data that {@code ch} holds from its current position. */
    private static INDArray decode(Layout layout, ReadableByteChannel ch, String source) throws IOException {
        NpyHeader h = layout.header();
        long n = h.elementCount();
        if (n > MAX_ELEMENTS) {
            throw new MalformedFileException(
                    source,
                    "shape " + h.shapeText() + " has " + n + " elements, more than the " + MAX_ELEMENTS
                            + " one array can hold in memory");
        }
        NpyType type = NpyType.parse(h.descr());
        long[] shape = h.shape();
        DType target = type.target();
        if (n == 0) {
            return Tensors.zeros(target, shape);
        }
        float[] floats = target == DType.FLOAT32 ? new float[(int) n] : null;
        double[] doubles = target == DType.FLOAT64 ? new double[(int) n] : null;
        Destination dest = new Destination(shape, h.fortranOrder());
        ByteBuffer buf =
                ByteBuffer.allocate((int) Math.min(CHUNK, h.dataBytes())).order(NpyType.byteOrder(h.descr()));
        long offset = layout.dataOffset();
        long remaining = h.dataBytes();
        int done = 0;
        while (remaining > 0) {
            buf.clear().limit((int) Math.min(buf.capacity(), remaining));
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw truncatedAt(source, offset + buf.position(), "the data");
                }
            }
            buf.flip();
            int count = buf.remaining() / type.size();
            if (!h.fortranOrder() && type == NpyType.F4) {
                buf.asFloatBuffer().get(floats, done, count);
            } else if (!h.fortranOrder() && type == NpyType.F8) {
                buf.asDoubleBuffer().get(doubles, done, count);
            } else if (floats != null) {
                for (int i = 0; i < count; i++) {
                    floats[dest.next()] = (float) type.readDouble(buf);
                }
            } else {
                for (int i = 0; i < count; i++) {
                    doubles[dest.next()] = type.readDouble(buf);
                }
            }
            done += count;
            offset += buf.limit();
            remaining -= buf.limit();
        }
        return floats != null ? Tensors.fromFlat(target, floats, shape) : Tensors.fromFlat(target, doubles, shape);
    }

    /**
     * Where each value read in file order goes in the C-order result: the same index for C order;
     * for Fortran order (first index fastest on disk) an odometer over the C strides.
     */
    private static final class Destination {
        private final boolean fortran;
        private final long[] shape;
        private final long[] cStrides;
        private final long[] index;
        private long position;

        Destination(long[] shape, boolean fortran) {
            this.fortran = fortran && shape.length > 1;
            this.shape = shape;
            this.cStrides = new long[shape.length];
            this.index = new long[shape.length];
            long stride = 1;
            for (int k = shape.length - 1; k >= 0; k--) {
                cStrides[k] = stride;
                stride *= shape[k];
            }
        }

        int next() {
            if (!fortran) {
                return (int) position++;
            }
            int at = (int) position;
            for (int k = 0; k < shape.length; k++) {
                index[k]++;
                position += cStrides[k];
                if (index[k] < shape[k]) {
                    break;
                }
                position -= index[k] * cStrides[k];
                index[k] = 0;
            }
            return at;
        }
    }

    static MalformedFileException sizeMismatch(String source, NpyHeader h, long present) {
        return new MalformedFileException(
                source,
                "header declares shape " + h.shapeText() + " = " + h.dataBytes() + " bytes of '" + h.descr()
                        + "' data but the file has " + present + " bytes after the header");
    }

    private static MalformedFileException truncatedAt(String source, long offset, String what) {
        return new MalformedFileException(source, "the file ends at byte " + offset + ", inside " + what);
    }

    /** Bytes as a Python bytes literal body: printable ASCII as is, others as \xNN. */
    private static String escape(byte[] bytes) {
        StringBuilder sb = new StringBuilder("b'");
        for (byte b : bytes) {
            int c = b & 0xFF;
            sb.append(
                    c >= 0x20 && c < 0x7F && c != '\'' && c != '\\'
                            ? String.valueOf((char) c)
                            : String.format("\\x%02x", c));
        }
        return sb.append('\'').toString();
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes {@code array} (float32 or float64) to {@code file} as {@code numpy.save} would. The file
     * appears complete or not at all: the bytes go to a temporary file in the same directory, which
     * is then renamed over {@code file}; on failure the temporary file is deleted.
     */
    public static void write(Path file, INDArray array) throws IOException {
        DType dtype = DType.of(array.dataType());
        byte[] header = headerBytes(dtype, array.shape());
        AtomicFiles.write(file, ch -> {
            writeFully(ch, ByteBuffer.wrap(header));
            writeData(ch, array, dtype);
        });
    }

    /** Magic, version 1.0, header length and the padded dict, exactly as NumPy writes them. */
    static byte[] headerBytes(DType dtype, long[] shape) {
        return headerBytes(dtype == DType.FLOAT32 ? "<f4" : "<f8", shape);
    }

    /**
     * The header {@code numpy.save} writes for a C-order array of {@code descr} ({@code <f4},
     * {@code <i4}, {@code <i8}, ...) and {@code shape}, for writers that stream the data after it.
     * The dict keeps room for the first dimension to grow to 21 digits, so a header rewritten with
     * the final row count has the same length.
     */
    public static byte[] headerBytes(String descr, long[] shape) {
        if (NpyType.parse(descr) == null) {
            throw new IllegalArgumentException("descr must be one of " + NpyType.ACCEPTED + ", was '" + descr + "'");
        }
        StringBuilder dict = new StringBuilder("{'descr': '")
                .append(descr)
                .append("', 'fortran_order': False, 'shape': ")
                .append(NpyHeader.shapeText(shape))
                .append(", }");
        if (shape.length > 0) {
            dict.append(" "
                    .repeat(Math.max(
                            0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        int dictLength = dict.length() + 1; // with the final '\n'
        int padding = ARRAY_ALIGN - (MAGIC.length + 2 + 2 + dictLength) % ARRAY_ALIGN;
        int headerLength = dictLength + padding;
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + 2 + headerLength).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerLength);
        b.put(dict.toString().getBytes(StandardCharsets.ISO_8859_1));
        b.put(" ".repeat(padding).getBytes(StandardCharsets.ISO_8859_1)).put((byte) '\n');
        return b.array();
    }

    private static void writeData(WritableByteChannel ch, INDArray array, DType dtype) throws IOException {
        long n = array.length();
        if (n == 0) {
            return;
        }
        INDArray c = Tensors.copy(array, dtype); // C order, own buffer
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, n * (dtype == DType.FLOAT32 ? 4 : 8)))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == DType.FLOAT32) {
            float[] values = c.data().asFloat();
            for (int done = 0; done < n; ) {
                int count = (int) Math.min(buf.capacity() / 4, n - done);
                buf.clear();
                buf.asFloatBuffer().put(values, done, count);
                buf.limit(count * 4);
                writeFully(ch, buf);
                done += count;
            }
        } else {
            double[] values = c.data().asDouble();
            for (int done = 0; done < n; ) {
                int count = (int) Math.min(buf.capacity() / 8, n - done);
                buf.clear();
                buf.asDoubleBuffer().put(values, done, count);
                buf.limit(count * 8);
                writeFully(ch, buf);
                done += count;
            }
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
