package dev.saekit.io;

import dev.saekit.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads rows of shards through read-only memory-mapped windows, converting any element type of
 * either byte order to the data set's dtype, checking each value as stored before anything else
 * ({@link ValueCheck}: NaN, infinities, float64 beyond float32's range, named by file, row, column
 * and stored index), then subtracting an optional offset row.
 *
 * <p>A window is one chunk of {@code windowRows} rows of one shard (the data set keeps it under the
 * 2 GiB a {@link MappedByteBuffer} can span), mapped from the shard's own file or, for a compressed
 * shard, from the data set's scratch file. At most one window is mapped at a time: moving to
 * another unmaps the previous one at once, so the file pages the process holds stay within one
 * window instead of growing until a garbage collection frees old buffers. The unmapping uses
 * {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}, as Lucene and Netty do);
 * where that is not available, windows are unmapped by the garbage collector as usual. No view of a
 * window outlives the call that reads it, so unmapping it cannot leave a dangling reference. Before
 * a shard's own file is mapped, its length is checked again: mapping past the end of a file that
 * shrank would fault.
 */
final class ShardReader implements AutoCloseable {
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();
    /** Values decoded at a time on the general path. */
    private static final int BLOCK = 1 << 14;

    private final DType dtype;
    private final int windowRows;
    private final double[] offset;
    private final double scale;
    private final ScratchFile scratch;
    private final double[] decoded = new double[BLOCK];

    private Shard shard;
    private FileChannel channel;
    private MappedByteBuffer window;
    private long windowStart;
    private long windowEnd;

    /**
     * {@code offset}: a row subtracted from every row read (already rounded to {@code dtype}), or
     * null; {@code scale}: a factor every row is then multiplied by (1: none); {@code scratch}: where
     * compressed shards were decompressed, or null.
     */
    ShardReader(DType dtype, int windowRows, double[] offset, double scale, ScratchFile scratch) {
        this.dtype = dtype;
        this.windowRows = windowRows;
        this.offset = offset;
        this.scale = scale;
        this.scratch = scratch;
    }

    /** Reads rows {@code row .. row + count - 1} of {@code s} into rows {@code destRow ..} of {@code dest}. */
    void read(Shard s, long row, int count, RowBlock dest, int destRow) {
        while (count > 0) {
            select(s, row);
            int n = (int) Math.min(count, windowEnd - row);
            decode(row, n, dest, destRow);
            row += n;
            destRow += n;
            count -= n;
        }
    }

    /** Maps the window of {@code s} that holds {@code row}, unless it is the one mapped. */
    private void select(Shard s, long row) {
        if (s == shard && row >= windowStart && row < windowEnd) {
            return;
        }
        unmapWindow();
        try {
            if (s != shard) {
                closeChannel();
                channel = s.scratch() ? scratch.channel() : RegularFiles.open(s.file());
                shard = s;
            }
            long start = row / windowRows * windowRows;
            long end = Math.min(s.rows(), start + windowRows);
            long from = s.mapOffset() + start * s.rowBytes();
            long length = (end - start) * s.rowBytes();
            if (!s.scratch() && channel.size() < s.mapOffset() + s.rows() * s.rowBytes()) {
                throw new MalformedFileException(
                        s.array().source(),
                        "the file has " + channel.size() + " bytes, fewer than when"
                                + " its header was read; it changed while the data set was open");
            }
            window = channel.map(FileChannel.MapMode.READ_ONLY, from, length);
            windowStart = start;
            windowEnd = end;
        } catch (java.nio.channels.ClosedChannelException e) {
            throw new UncheckedIOException("cannot read " + s.array().source() + ": the data set was closed", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Converts {@code n} rows from the window, checking each value as stored, then offsets them. */
    private void decode(long row, int n, RowBlock dest, int destRow) {
        int cols = shard.width();
        int values = n * cols;
        int at = destRow * cols;
        int pos = Math.toIntExact((row - windowStart) * shard.rowBytes());
        ByteBuffer src = window.slice(pos, values * shard.itemSize()).order(shard.byteOrder());
        ElementType type = shard.array().type();
        long first = row * cols; // the storage position of the first value, in the shard
        if (type == ElementType.FLOAT32 && dest.floats != null) {
            src.asFloatBuffer().get(dest.floats, at, values);
            for (int i = 0; i < values; i++) {
                if (!Float.isFinite(dest.floats[at + i])) {
                    throw ValueCheck.failure(shard.array(), dtype, first + i, dest.floats[at + i]);
                }
            }
        } else if (type == ElementType.FLOAT64 && dest.doubles != null) {
            src.asDoubleBuffer().get(dest.doubles, at, values);
            for (int i = 0; i < values; i++) {
                if (!Double.isFinite(dest.doubles[at + i])) {
                    throw ValueCheck.failure(shard.array(), dtype, first + i, dest.doubles[at + i]);
                }
            }
        } else {
            for (int done = 0; done < values; ) {
                int k = Math.min(BLOCK, values - done);
                type.decode(src, decoded, 0, k);
                ValueCheck.check(shard.array(), dtype, first + done, decoded, k);
                if (dest.floats != null) {
                    for (int i = 0; i < k; i++) {
                        dest.floats[at + done + i] = (float) decoded[i];
                    }
                } else {
                    System.arraycopy(decoded, 0, dest.doubles, at + done, k);
                }
                done += k;
            }
        }
        if (offset != null) {
            subtractOffset(values, dest, at);
        }
        if (scale != 1.0) {
            multiply(values, dest, at);
        }
    }

    private void multiply(int values, RowBlock dest, int at) {
        if (dest.floats != null) {
            float f = (float) scale;
            for (int i = 0; i < values; i++) {
                dest.floats[at + i] *= f;
            }
        } else {
            for (int i = 0; i < values; i++) {
                dest.doubles[at + i] *= scale;
            }
        }
    }

    private void subtractOffset(int values, RowBlock dest, int at) {
        int cols = shard.width();
        if (dest.floats != null) {
            float[] d = dest.floats;
            for (int i = 0; i < values; i++) {
                d[at + i] = (float) (d[at + i] - offset[i % cols]);
            }
        } else {
            double[] d = dest.doubles;
            for (int i = 0; i < values; i++) {
                d[at + i] -= offset[i % cols];
            }
        }
    }

    @Override
    public void close() {
        unmapWindow();
        closeChannel();
        shard = null;
    }

    private void unmapWindow() {
        MappedByteBuffer w = window;
        window = null;
        windowStart = 0;
        windowEnd = 0;
        if (w != null && INVOKE_CLEANER != null) {
            try {
                INVOKE_CLEANER.invokeExact((ByteBuffer) w);
            } catch (Throwable e) { // left to the garbage collector
            }
        }
    }

    private void closeChannel() {
        if (channel != null && !shard.scratch()) {
            try {
                channel.close();
            } catch (IOException e) { // read-only: nothing was lost
            }
        }
        channel = null;
    }

    /** {@code Unsafe.invokeCleaner(ByteBuffer)} bound to the instance, or null where it cannot be had. */
    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(f.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
