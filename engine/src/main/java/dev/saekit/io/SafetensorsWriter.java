package dev.saekit.io;

import dev.saekit.files.AtomicFiles;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes the layout of the safetensors library (0.4 and later): tensors ordered by dtype, largest
 * first in the library's dtype order (I64, then F64, then F32), then by name (UTF-8 bytes); the
 * header compact JSON, {@code __metadata__} first (keys sorted, since the library's own order is
 * a hash map's), each entry as {@code {"dtype":..,"shape":[..],"data_offsets":[b,e]}}, padded with
 * spaces to a multiple of 8 bytes, strings escaped as serde_json escapes them. For the same tensors
 * and no metadata the bytes equal those of {@code safetensors.numpy.save_file}.
 */
final class SafetensorsWriter {
    private static final int CHUNK = 1 << 20;

    private SafetensorsWriter() {}

    private record Item(String name, byte[] nameBytes, ElementType dtype, INDArray array) {}

    static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(tensors, "tensors");
        List<Item> items = new ArrayList<>();
        tensors.forEach((name, array) -> items.add(item(name, array)));
        Comparator<Item> byDType = Comparator.comparing(Item::dtype, Comparator.reverseOrder());
        items.sort(byDType.thenComparing(Item::nameBytes, Arrays::compareUnsigned));
        byte[] header = header(items, metadata);

        AtomicFiles.write(file, ch -> {
            writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            writeFully(ch, ByteBuffer.wrap(header));
            for (Item item : items) {
                writeData(ch, item);
            }
        });
    }

    private static Item item(String name, INDArray array) {
        Objects.requireNonNull(name, "a tensor name is null");
        Objects.requireNonNull(array, "tensor '" + name + "' is null");
        requireUnicode("tensor name", name);
        if (name.equals(SafetensorsHeaderParser.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is the metadata key; it cannot name a tensor");
        }
        ElementType dtype;
        DataType t = array.dataType();
        if (t == DataType.FLOAT) {
            dtype = ElementType.FLOAT32;
        } else if (t == DataType.DOUBLE) {
            dtype = ElementType.FLOAT64;
        } else if (t == DataType.INT64) {
            dtype = ElementType.INT64;
        } else {
            throw new IllegalArgumentException("tensor '" + name + "' has dtype " + t
                    + "; safetensors writing takes FLOAT (F32), DOUBLE (F64) and LONG (I64) arrays");
        }
        return new Item(name, name.getBytes(StandardCharsets.UTF_8), dtype, array);
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes. */
    private static byte[] header(List<Item> items, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            json.append(quote(SafetensorsHeaderParser.METADATA_KEY)).append(":{");
            metadata.entrySet().stream()
                    .sorted(Map.Entry.comparingByKey(
                            Comparator.comparing(k -> k.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned)))
                    .forEach(e -> json.append(quote(requireUnicode("metadata key", e.getKey())))
                            .append(':')
                            .append(quote(requireUnicode("metadata '" + e.getKey() + "'", e.getValue())))
                            .append(','));
            json.setLength(json.length() - 1);
            json.append("},");
        }
        long offset = 0;
        for (Item item : items) {
            long end = Math.addExact(
                    offset,
                    Math.multiplyExact(item.array().length(), item.dtype().size()));
            json.append(quote(item.name()))
                    .append(":{\"dtype\":\"")
                    .append(item.dtype().safetensorsName())
                    .append("\",\"shape\":[");
            long[] shape = item.array().shape();
            for (int i = 0; i < shape.length; i++) {
                json.append(i == 0 ? "" : ",").append(shape[i]);
            }
            json.append("],\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(end)
                    .append("]},");
            offset = end;
        }
        if (json.charAt(json.length() - 1) == ',') { // after the last entry, or the metadata of a file with no tensors
            json.setLength(json.length() - 1);
        }
        json.append('}');
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Safetensors.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the header would have " + bytes.length + " bytes, more than the "
                    + Safetensors.MAX_HEADER_BYTES + " the format allows");
        }
        int padded = (bytes.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(bytes, padded);
        Arrays.fill(out, bytes.length, padded, (byte) ' ');
        return out;
    }

    /**
     * A JSON string as serde_json writes it: short escapes for the quote, the backslash, backspace,
     * tab, newline, form feed and carriage return; six-character escapes with lower-case hex digits
     * for the other control characters; everything else as is.
     */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    /** {@code s}, which must not be null nor hold a lone surrogate (UTF-8 cannot encode one). */
    private static String requireUnicode(String what, String s) {
        Objects.requireNonNull(s, () -> what + " is null");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " '" + s + "' holds a lone surrogate U+"
                        + Integer.toHexString(c).toUpperCase(Locale.ROOT) + " at index " + i
                        + ", which UTF-8 cannot encode");
            }
        }
        return s;
    }

    /** The array's values, little-endian, in C order. */
    private static void writeData(FileChannel ch, Item item) throws IOException {
        long n = item.array().length();
        if (n == 0) {
            return;
        }
        ByteBuffer buf = ByteBuffer.allocate(
                        (int) Math.min(CHUNK, n * item.dtype().size()))
                .order(ByteOrder.LITTLE_ENDIAN);
        int perChunk = buf.capacity() / item.dtype().size();
        switch (item.dtype()) {
            case FLOAT32: {
                float[] values =
                        Tensors.copy(item.array(), DType.FLOAT32).data().asFloat();
                for (int done = 0; done < n; done += perChunk) {
                    int count = (int) Math.min(perChunk, n - done);
                    buf.clear();
                    buf.asFloatBuffer().put(values, done, count);
                    writeFully(ch, buf.limit(count * 4));
                }
                break;
            }
            case FLOAT64: {
                double[] values =
                        Tensors.copy(item.array(), DType.FLOAT64).data().asDouble();
                for (int done = 0; done < n; done += perChunk) {
                    int count = (int) Math.min(perChunk, n - done);
                    buf.clear();
                    buf.asDoubleBuffer().put(values, done, count);
                    writeFully(ch, buf.limit(count * 8));
                }
                break;
            }
            default: {
                long[] values = item.array().dup('c').data().asLong(); // int64: not an engine dtype, so not via Tensors
                for (int done = 0; done < n; done += perChunk) {
                    int count = (int) Math.min(perChunk, n - done);
                    buf.clear();
                    buf.asLongBuffer().put(values, done, count);
                    writeFully(ch, buf.limit(count * 8));
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
