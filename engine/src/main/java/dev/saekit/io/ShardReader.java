package dev.saekit.io;

import dev.saekit.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Reads rows of shards through read-only memory-mapped windows, converting {@code f2}, {@code f4}
 * and {@code f8} of either byte order to the data set's dtype, subtracting an optional offset row
 * and refusing NaN and infinities with the file, row and column.
 *
 * <p>A window is one chunk of {@code windowRows} rows of one shard (the data set keeps it under the
 * 2 GiB a {@link MappedByteBuffer} can span). At most one window is mapped at a time: moving to
 * another unmaps the previous one at once, so the file pages the process holds stay within one
 * window instead of growing until a garbage collection frees old buffers. The unmapping uses
 * {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}, as Lucene and Netty do);
 * where that is not available, windows are unmapped by the garbage collector as usual. No view of a
 * window outlives the call that reads it, so unmapping it cannot leave a dangling reference.
 */
final class ShardReader implements AutoCloseable {
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private final DType dtype;
    private final int windowRows;
    private final double[] offset;

    private Shard shard;
    private FileChannel channel;
    private MappedByteBuffer window;
    private long windowStart;
    private long windowEnd;

    /** {@code offset}: a row subtracted from every row read (already rounded to {@code dtype}), or null. */
    ShardReader(DType dtype, int windowRows, double[] offset) {
        this.dtype = dtype;
        this.windowRows = windowRows;
        this.offset = offset;
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
                channel = FileChannel.open(s.file(), StandardOpenOption.READ);
                shard = s;
            }
            long start = row / windowRows * windowRows;
            long end = Math.min(s.rows(), start + windowRows);
            window = channel.map(FileChannel.MapMode.READ_ONLY, s.dataOffset() + start * s.rowBytes(), (end - start) * s.rowBytes());
            windowStart = start;
            windowEnd = end;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read shard " + s.file() + ": " + e.getMessage(), e);
        }
    }

    /** Converts {@code n} rows from the window, then checks (and offsets) them. */
    private void decode(long row, int n, RowBlock dest, int destRow) {
        int cols = shard.width();
        int values = n * cols;
        int at = destRow * cols;
        int pos = Math.toIntExact((row - windowStart) * shard.rowBytes());
        ByteBuffer src = window.slice(pos, values * shard.itemSize()).order(shard.byteOrder());
        int item = shard.itemSize();
        if (dest.floats != null) {
            float[] d = dest.floats;
            if (item == 4) {
                src.asFloatBuffer().get(d, at, values);
            } else if (item == 8) {
                DoubleBuffer b = src.asDoubleBuffer();
                for (int i = 0; i < values; i++) {
                    d[at + i] = (float) b.get(i);
                }
            } else {
                ShortBuffer b = src.asShortBuffer();
                for (int i = 0; i < values; i++) {
                    d[at + i] = Float16.toFloat(b.get(i));
                }
            }
        } else {
            double[] d = dest.doubles;
            if (item == 8) {
                src.asDoubleBuffer().get(d, at, values);
            } else if (item == 4) {
                FloatBuffer b = src.asFloatBuffer();
                for (int i = 0; i < values; i++) {
                    d[at + i] = b.get(i);
                }
            } else {
                ShortBuffer b = src.asShortBuffer();
                for (int i = 0; i < values; i++) {
                    d[at + i] = Float16.toFloat(b.get(i));
                }
            }
        }
        checkAndOffset(row, n, dest, at);
    }

    private void checkAndOffset(long row, int n, RowBlock dest, int at) {
        int cols = shard.width();
        int values = n * cols;
        if (dest.floats != null) {
            float[] d = dest.floats;
            for (int i = 0; i < values; i++) {
                if (!Float.isFinite(d[at + i])) {
                    throw nonFinite(row + i / cols, i % cols, d[at + i]);
                }
            }
            if (offset != null) {
                for (int i = 0; i < values; i++) {
                    d[at + i] = (float) (d[at + i] - offset[i % cols]);
                }
            }
        } else {
            double[] d = dest.doubles;
            for (int i = 0; i < values; i++) {
                if (!Double.isFinite(d[at + i])) {
                    throw nonFinite(row + i / cols, i % cols, d[at + i]);
                }
            }
            if (offset != null) {
                for (int i = 0; i < values; i++) {
                    d[at + i] -= offset[i % cols];
                }
            }
        }
    }

    private NonFiniteValueException nonFinite(long row, int col, double value) {
        return new NonFiniteValueException(shard.file(), row, shard.rowIndexText(row), col, value);
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
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) { // read-only: nothing was lost
            }
            channel = null;
        }
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
