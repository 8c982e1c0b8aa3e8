package dev.saekit.onnx.text;

import dev.saekit.files.AtomicFiles;
import dev.saekit.io.Npy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A {@code .npy} file written a block of rows at a time, never held in memory whole: float32
 * matrices {@code [rows, width]} or int32/int64 vectors {@code [rows]}. The bytes go to a temporary
 * file beside the target; {@link #commit()} writes the final row count into the header (NumPy's
 * header keeps room for it) and renames the file into place. Closing it uncommitted deletes it.
 * The bytes are those {@code numpy.save} writes for the same array.
 */
final class NpyAppender implements AutoCloseable {
    private final String descr;
    private final int width; // 0 for a vector
    private final AtomicFiles.Pending pending;
    private final FileChannel channel;
    private final int headerLength;
    private long rows;
    private ByteBuffer chunk;

    /** Bytes written per call to the channel (a multiple of every element size). */
    private static final int CHUNK = 1 << 20;

    private NpyAppender(Path file, String descr, int width) throws IOException {
        this.descr = descr;
        this.width = width;
        this.pending = AtomicFiles.create(file);
        this.channel = pending.channel();
        byte[] header = Npy.headerBytes(descr, shape(0));
        this.headerLength = header.length;
        try {
            write(ByteBuffer.wrap(header));
        } catch (IOException | RuntimeException e) {
            pending.close();
            throw e;
        }
    }

    /** A float32 matrix of rows of {@code width} values. */
    static NpyAppender floats(Path file, int width) throws IOException {
        return new NpyAppender(file, "<f4", width);
    }

    /** An int32 vector. */
    static NpyAppender ints(Path file) throws IOException {
        return new NpyAppender(file, "<i4", 0);
    }

    /** An int64 vector. */
    static NpyAppender longs(Path file) throws IOException {
        return new NpyAppender(file, "<i8", 0);
    }

    private long[] shape(long n) {
        return width == 0 ? new long[] {n} : new long[] {n, width};
    }

    /** Appends {@code count} rows: {@code values[0 .. count*width)}. */
    void append(float[] values, int count) throws IOException {
        appendChunks(
                Math.multiplyExact(count, width),
                Float.BYTES,
                (b, from, len) -> b.asFloatBuffer().put(values, from, len));
        rows += count;
    }

    /** Appends {@code count} values {@code values[0 .. count)} to an int32 vector. */
    void append(int[] values, int count) throws IOException {
        appendChunks(count, Integer.BYTES, (b, from, len) -> b.asIntBuffer().put(values, from, len));
        rows += count;
    }

    /** Appends {@code count} values {@code values[0 .. count)} to an int64 vector. */
    void append(long[] values, int count) throws IOException {
        appendChunks(count, Long.BYTES, (b, from, len) -> b.asLongBuffer().put(values, from, len));
        rows += count;
    }

    /** Puts values {@code [from, from + len)} at the start of a cleared buffer. */
    @FunctionalInterface
    private interface ChunkFill {
        void put(ByteBuffer chunk, int from, int len);
    }

    /** Writes {@code n} values of {@code bytes} bytes each, {@link #CHUNK} bytes at a time. */
    private void appendChunks(int n, int bytes, ChunkFill fill) throws IOException {
        int step = CHUNK / bytes;
        for (int from = 0; from < n; from += step) {
            int len = Math.min(step, n - from);
            ByteBuffer b = chunk();
            fill.put(b, from, len);
            b.limit(len * bytes);
            write(b);
        }
    }

    /**
     * The reused direct buffer, cleared, little-endian: values are copied into it a chunk at a time
     * and written from it, with no array the size of the whole block and no copy by the channel.
     */
    private ByteBuffer chunk() {
        if (chunk == null) {
            chunk = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        }
        chunk.clear();
        return chunk;
    }

    long rows() {
        return rows;
    }

    /** Writes the final shape into the header and moves the file into place. */
    void commit() throws IOException {
        byte[] header = Npy.headerBytes(descr, shape(rows));
        if (header.length != headerLength) { // cannot happen: the header keeps room for 21 digits
            throw new IllegalStateException(
                    "the .npy header grew from " + headerLength + " to " + header.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(header);
        while (b.hasRemaining()) {
            channel.write(b, b.position());
        }
        pending.commit();
    }

    @Override
    public void close() throws IOException {
        pending.close();
    }

    private void write(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }
}
