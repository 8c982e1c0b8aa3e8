package dev.saekit.io;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The checked header of a safetensors file, from {@link Safetensors#header}: its tensors in header
 * order and its {@code __metadata__}. Tensors are loaded one at a time, on request; each load
 * checks that the file still has the length the header was checked against.
 *
 * @param path      the file
 * @param dataStart where the data buffer starts: 8 plus the header length
 * @param tensors   name to entry, in the order of the header
 * @param metadata  the {@code __metadata__} map; empty if the file has none
 */
public record SafetensorsFile(
        Path path, long dataStart, Map<String, TensorEntry> tensors, Map<String, String> metadata) {
    /** Bytes moved per read: a multiple of every element size, so no element straddles two chunks. */
    private static final int CHUNK = 1 << 20;
    /** Names listed in an error about a missing tensor. */
    static final int NAMES_SHOWN = 20;

    public SafetensorsFile {
        Objects.requireNonNull(path, "path");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The entry of tensor {@code name}; an unknown name is an error that lists the file's tensors. */
    public TensorEntry entry(String name) {
        TensorEntry e = tensors.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path + "; it holds " + namesText());
        }
        return e;
    }

    /** Tensor {@code name} in the dtype {@link ElementType#readDType()} gives its element type. */
    public INDArray read(String name) throws IOException {
        TensorEntry e = entry(name);
        return read(name, e.dtype().readDType());
    }

    /** Tensor {@code name} converted to {@code target}. */
    public INDArray read(String name, DType target) throws IOException {
        TensorEntry e = entry(name);
        try (FileChannel ch = open()) {
            return load(ch, e, target);
        }
    }

    /** Every tensor, in header order, each in its {@link ElementType#readDType()}. */
    public Map<String, INDArray> readAll() throws IOException {
        return readAll(null);
    }

    /** Every tensor, in header order, converted to {@code target} (or each to its own read dtype if null). */
    public Map<String, INDArray> readAll(DType target) throws IOException {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        try (FileChannel ch = open()) {
            for (TensorEntry e : tensors.values()) {
                arrays.put(e.name(), load(ch, e, target == null ? e.dtype().readDType() : target));
            }
        }
        return arrays;
    }

    /**
     * The values of integer or bool tensor {@code name}, exactly, in C order (see
     * {@link ElementType#readLong}); for counters and labels that must not pass through a float.
     */
    public long[] readLongs(String name) throws IOException {
        TensorEntry e = entry(name);
        if (!e.dtype().isInteger()) {
            throw new IllegalArgumentException("tensor '" + name + "' of " + path + " is "
                    + e.dtype().safetensorsName() + "; readLongs reads integer and bool tensors");
        }
        long n = checkedCount(e);
        long[] values = new long[(int) n];
        try (FileChannel ch = open()) {
            int[] done = {0};
            readChunks(ch, e, buf -> {
                while (buf.hasRemaining()) {
                    values[done[0]++] = e.dtype().readLong(buf);
                }
            });
        }
        return values;
    }

    /** The size of the data buffer: the end of the last tensor. */
    public long bufferLength() {
        long end = 0;
        for (TensorEntry e : tensors.values()) {
            end = Math.max(end, e.end());
        }
        return end;
    }

    /** Where tensor {@code name} lies (its entry was checked against the file when the header was read). */
    StoredArray locate(String name) {
        TensorEntry e = entry(name);
        DataFileInfo info = new DataFileInfo(path, DataFormat.SAFETENSORS, name, e.dtype(), e.shape());
        return new StoredArray(
                info, ByteOrder.LITTLE_ENDIAN, false, new StoredArray.InPlace(dataStart + e.begin(), null));
    }

    private FileChannel open() throws IOException {
        FileChannel ch = RegularFiles.open(path);
        long expected = dataStart + bufferLength();
        if (ch.size() != expected) {
            long size = ch.size();
            ch.close();
            throw new MalformedFileException(
                    path.toString(),
                    "the file has " + size + " bytes but its safetensors header," + " read earlier, describes "
                            + expected + "; it changed since");
        }
        return ch;
    }

    /** Loads {@code e} from {@code ch} into a new C-order array of {@code target}. */
    INDArray load(FileChannel ch, TensorEntry e, DType target) throws IOException {
        long n = checkedCount(e);
        long[] shape = e.shape();
        if (n == 0) {
            return Tensors.zeros(target, shape);
        }
        ElementType type = e.dtype();
        if (target == DType.FLOAT32) {
            float[] values = new float[(int) n];
            int[] done = {0};
            readChunks(ch, e, buf -> {
                int count = buf.remaining() / type.size();
                if (type == ElementType.FLOAT32) {
                    buf.asFloatBuffer().get(values, done[0], count);
                    done[0] += count;
                } else {
                    for (int i = 0; i < count; i++) {
                        values[done[0]++] = (float) type.readDouble(buf);
                    }
                }
            });
            return Tensors.fromFlat(target, values, shape);
        }
        double[] values = new double[(int) n];
        int[] done = {0};
        readChunks(ch, e, buf -> {
            int count = buf.remaining() / type.size();
            if (type == ElementType.FLOAT64) {
                buf.asDoubleBuffer().get(values, done[0], count);
                done[0] += count;
            } else {
                for (int i = 0; i < count; i++) {
                    values[done[0]++] = type.readDouble(buf);
                }
            }
        });
        return Tensors.fromFlat(target, values, shape);
    }

    private long checkedCount(TensorEntry e) throws MalformedFileException {
        long n = e.elementCount();
        if (n > Npy.MAX_ELEMENTS) {
            throw new MalformedFileException(
                    path.toString(),
                    "tensor " + Text.quote(e.name()) + " " + Arrays.toString(e.shape()) + " has " + n
                            + " elements, more than the " + Npy.MAX_ELEMENTS + " one array can hold in memory");
        }
        return n;
    }

    /** A consumer of one chunk of little-endian data, positioned at its start. */
    private interface ChunkConsumer {
        void accept(ByteBuffer chunk);
    }

    /** Reads the bytes of {@code e} in chunks that hold whole elements. */
    private void readChunks(FileChannel ch, TensorEntry e, ChunkConsumer consumer) throws IOException {
        ByteBuffer buf =
                ByteBuffer.allocate((int) Math.min(CHUNK, e.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        long position = dataStart + e.begin();
        long end = dataStart + e.end();
        while (position < end) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - position));
            while (buf.hasRemaining()) {
                if (ch.read(buf, position + buf.position()) < 0) {
                    throw new MalformedFileException(
                            path.toString(),
                            "the file ends at byte " + (position + buf.position()) + ", inside tensor "
                                    + Text.quote(e.name()));
                }
            }
            position += buf.limit();
            buf.flip();
            consumer.accept(buf);
        }
    }

    /** "3 tensors: a, b, c" (at most {@link #NAMES_SHOWN} names). */
    private String namesText() {
        if (tensors.isEmpty()) {
            return "no tensors";
        }
        String names =
                String.join(", ", tensors.keySet().stream().limit(NAMES_SHOWN).toList());
        return tensors.size() + " tensor" + (tensors.size() == 1 ? "" : "s") + ": " + names
                + (tensors.size() > NAMES_SHOWN ? ", ..." : "");
    }
}
