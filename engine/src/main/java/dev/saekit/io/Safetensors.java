package dev.saekit.io;

import dev.saekit.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Safetensors files ({@code huggingface/safetensors}): an 8-byte little-endian header length N, N
 * bytes of UTF-8 JSON describing each tensor ({@code dtype}, {@code shape}, {@code data_offsets}
 * into the data buffer) and an optional {@code __metadata__} map of strings, then the data buffer:
 * little-endian, C order.
 *
 * <p>Reading accepts the floating types F16, BF16, F32, F64 and the integer types I8, I16, I32,
 * I64, U8, U16, U32, U64 and BOOL, 0-d scalars and empty tensors. A plain read gives each tensor in
 * the dtype {@link ElementType#readDType()} names (F32, F16 and BF16 as float32, F64 as float64,
 * integers as the float type that holds them exactly; see {@link ElementType}); {@link #read(Path,
 * DType)} converts every tensor to one dtype, and {@link SafetensorsFile#readLongs} gives integer
 * tensors exactly. It is safe on untrusted files: the header length is bounded by
 * {@link #MAX_HEADER_BYTES} before anything is allocated, the header is checked as
 * {@link SafetensorsHeaderParser} describes, the data buffer's length must be what the tensors
 * cover, and every defect is one {@link MalformedFileException} that names the file, and the tensor
 * and field or the byte offset.
 *
 * <p>Writing produces the bytes {@code safetensors.numpy.save_file} produces for F32, F64 and I64
 * tensors (see {@link SafetensorsWriter}), atomically.
 */
public final class Safetensors {
    /** The longest header saekit reads: 100 MB, the limit of the format's reference implementation. */
    public static final int MAX_HEADER_BYTES = 100_000_000;

    private static final int LENGTH_FIELD = 8;

    private Safetensors() {}

    /** The checked header of {@code file}: tensor names, dtypes, shapes, offsets and metadata, no data. */
    public static SafetensorsFile header(Path file) throws IOException {
        String source = file.toString();
        try (FileChannel ch = RegularFiles.open(file)) {
            long size = ch.size();
            if (size < LENGTH_FIELD) {
                throw new MalformedFileException(
                        source,
                        size == 0
                                ? "the file is empty; a safetensors file starts with an" + " 8-byte header length"
                                : "the file has " + size + " bytes, fewer than the 8-byte header length");
            }
            ByteBuffer field =
                    readAt(ch, 0, LENGTH_FIELD, source, "the header length").order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = field.getLong(); // unsigned on disk: a negative value is above 2^63
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new MalformedFileException(
                        source,
                        "the header length field at byte 0 says " + Long.toUnsignedString(headerLength)
                                + " bytes, more than the " + MAX_HEADER_BYTES + " the format allows");
            }
            if (LENGTH_FIELD + headerLength > size) {
                throw new MalformedFileException(
                        source,
                        "the header length field at byte 0 says " + headerLength + " bytes but the file ends "
                                + (size - LENGTH_FIELD) + " bytes after it");
            }
            byte[] header = readAt(ch, LENGTH_FIELD, (int) headerLength, source, "the header")
                    .array();
            long dataStart = LENGTH_FIELD + headerLength;
            SafetensorsHeaderParser.Parsed parsed = SafetensorsHeaderParser.parse(header, size - dataStart, source);
            return new SafetensorsFile(file, dataStart, parsed.tensors(), parsed.metadata());
        }
    }

    /** Every tensor of {@code file}, by name in header order, each in its {@link ElementType#readDType()}. */
    public static Map<String, INDArray> read(Path file) throws IOException {
        return header(file).readAll();
    }

    /** Every tensor of {@code file}, by name in header order, converted to {@code target}. */
    public static Map<String, INDArray> read(Path file, DType target) throws IOException {
        return header(file).readAll(target);
    }

    /**
     * Writes {@code tensors} (float32, float64 or int64 arrays; any order, views included) and
     * {@code metadata} (null or empty for none) to {@code file} as {@code safetensors} does. The file
     * appears complete or not at all: the bytes go to a temporary file in the same directory, which
     * is forced to disk and renamed over {@code file}; on failure the temporary file is deleted.
     */
    public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata)
            throws IOException {
        SafetensorsWriter.write(file, tensors, metadata);
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length, String source, String what)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw new MalformedFileException(
                        source, "the file ends at byte " + (position + buf.position()) + ", inside " + what);
            }
        }
        return buf.flip();
    }
}
