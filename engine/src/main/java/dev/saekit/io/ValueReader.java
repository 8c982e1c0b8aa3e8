package dev.saekit.io;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The values of a {@link StoredArray} in storage order, decoded to doubles block by block from
 * {@link ArrayBytes}: one pass, memory of one block whatever the array's size or compression. The
 * values are the raw ones, before any conversion, so that a check can name exactly what the file
 * holds. The last {@link #read} checks the end of the data ({@link ArrayBytes#finish()}).
 */
final class ValueReader implements AutoCloseable {
    /** Values per block when the caller has no preference. */
    static final int BLOCK = 1 << 16;

    private final StoredArray array;
    private final ArrayBytes bytes;
    private final int itemSize;
    private byte[] raw = new byte[0];
    private long position;

    ValueReader(StoredArray array) throws IOException {
        this.array = array;
        this.bytes = ArrayBytes.open(array);
        this.itemSize = array.type().size();
    }

    StoredArray array() {
        return array;
    }

    /** The storage position of the next value: how many were read. */
    long position() {
        return position;
    }

    /**
     * Decodes the next values into {@code values}: as many as fit and remain; 0 once every value was
     * read, after checking the end of the data.
     */
    int read(double[] values) throws IOException {
        long left = array.elements() - position;
        if (left == 0) {
            bytes.finish();
            return 0;
        }
        int n = (int) Math.min(values.length, left);
        int length = n * itemSize;
        if (raw.length < length) {
            raw = new byte[length];
        }
        bytes.readFully(raw, 0, length);
        array.type().decode(ByteBuffer.wrap(raw, 0, length).order(array.order()), values, 0, n);
        position += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        bytes.close();
    }
}
