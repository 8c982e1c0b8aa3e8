package dev.saekit.onnx;

import dev.saekit.io.ActivationManifest;
import dev.saekit.io.Npy;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The rows of one tap, gathered into a buffer and written as {@code .npy} shards of at most {@code rowsPerShard} rows. */
final class TapShards {
    private final String name;
    private final Path dir;
    private final int rowsPerShard;
    private final List<ActivationManifest.Shard> shards = new ArrayList<>();
    private long[] shape; // observed; -1 where batches differ
    private int width = -1;
    private float[] buffer;
    private int filled;
    private long rows;
    private long nonFinite;

    TapShards(String name, Path dir, int rowsPerShard) {
        this.name = name;
        this.dir = dir;
        this.rowsPerShard = rowsPerShard;
    }

    /** Appends {@code t} flattened to rows of its last dimension; returns whether a shard was written. */
    boolean append(FloatTensor t) throws IOException {
        if (width < 0) {
            start(t);
        } else {
            merge(t.shape());
        }
        if (t.width() != width) {
            throw new IllegalStateException("tap '" + name + "' returned " + t.shapeText() + ", rows of " + t.width()
                    + " values, after rows of " + width + " values: every batch must give the same last dimension");
        }
        float[] data = t.data();
        for (float v : data) {
            if (!Float.isFinite(v)) {
                nonFinite++;
            }
        }
        boolean wrote = false;
        int n = t.rows();
        int done = 0;
        while (done < n) {
            int take = Math.min(n - done, rowsPerShard - filled);
            System.arraycopy(data, done * width, buffer, filled * width, take * width);
            filled += take;
            done += take;
            rows += take;
            if (filled == rowsPerShard) {
                flush();
                wrote = true;
            }
        }
        return wrote;
    }

    private void merge(long[] s) {
        if (s.length != shape.length) {
            throw new IllegalStateException("tap '" + name + "' returned " + Arrays.toString(s)
                    + " after a tensor of rank " + shape.length + ": every batch must give the same rank");
        }
        for (int i = 0; i < s.length; i++) {
            if (s[i] != shape[i]) {
                shape[i] = -1;
            }
        }
    }

    private void start(FloatTensor t) {
        shape = t.shape();
        width = t.width();
        if (width == 0) {
            throw new IllegalStateException(
                    "tap '" + name + "' returned " + t.shapeText() + ": rows of width 0 cannot be stored");
        }
        long capacity = (long) rowsPerShard * width;
        if (capacity > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "rowsPerShard=" + rowsPerShard + " rows of tap '" + name + "' (width " + width
                            + ") need " + capacity + " floats, more than one Java array holds; use at most "
                            + (Integer.MAX_VALUE - 8) / width + " rows per shard");
        }
        buffer = new float[(int) capacity];
    }

    /** Writes the buffered rows as the next shard, if there are any. */
    void flush() throws IOException {
        if (filled == 0) {
            return;
        }
        String file = String.format(Locale.ROOT, "shard-%05d.npy", shards.size());
        float[] data = filled == rowsPerShard ? buffer : Arrays.copyOf(buffer, filled * width);
        Npy.write(dir.resolve(file), Tensors.fromFlat(DType.FLOAT32, data, filled, width));
        shards.add(new ActivationManifest.Shard(file, filled));
        filled = 0;
    }

    long rows() {
        return rows;
    }

    /** What the manifest says of this tap so far (the rows still in the buffer are not in a shard yet). */
    ActivationManifest.Tap manifest(String directory) {
        long written = shards.stream().mapToLong(ActivationManifest.Shard::rows).sum();
        String shapeText = shape == null
                ? "?"
                : Arrays.stream(shape)
                        .mapToObj(d -> d < 0 ? "?" : Long.toString(d))
                        .collect(Collectors.joining(", ", "[", "]"));
        return new ActivationManifest.Tap(name, directory, shapeText, Math.max(width, 0), written, nonFinite, shards);
    }
}
