package dev.saekit.io;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One {@code .npy} shard as its header describes it, checked before any data is read: a float
 * dtype, C order, at least two dimensions, at least one row and one column. An n-d array is read
 * as rows of its last dimension.
 *
 * @param file       the shard
 * @param header     its header, from {@link Npy#header} (which also checks it against the file's length)
 * @param dataOffset the byte where the data starts (the file's length less the data's)
 * @param rows       the product of all dimensions but the last
 * @param width      the last dimension
 * @param firstRow   the data set's index of this shard's row 0
 */
record Shard(Path file, NpyHeader header, long dataOffset, long rows, int width, long firstRow) {

    /** The shard {@code file}, whose row 0 is row {@code firstRow} of the data set. */
    static Shard open(Path file, long firstRow) throws IOException {
        NpyHeader h = Npy.header(file);
        String descr = h.descr();
        if (descr.charAt(1) != 'f') {
            throw new IllegalArgumentException("shard " + file + " holds '" + descr + "' " + h.shapeText()
                    + "; shards must hold floats: '<f2', '<f4' or '<f8' (or big-endian '>f2', '>f4', '>f8')");
        }
        if (h.rank() < 2) {
            throw new IllegalArgumentException("shard " + file + " has shape " + h.shapeText()
                    + "; shards must be matrices [rows, width] or arrays [n, ..., width], read as rows of the last dimension");
        }
        long[] shape = h.shape();
        long width = shape[shape.length - 1];
        long rows = h.elementCount() / Math.max(1, width);
        if (rows == 0 || width == 0) {
            throw new IllegalArgumentException("shard " + file + " is empty: shape " + h.shapeText()
                    + "; every shard needs at least one row and one column (delete it or leave it out of the glob)");
        }
        if (h.fortranOrder()) {
            throw new IllegalArgumentException("shard " + file + " (shape " + h.shapeText() + ") is stored in Fortran"
                    + " (column-major) order; streaming reads whole rows, which needs C order: save it with"
                    + " numpy.save(path, numpy.ascontiguousarray(a))");
        }
        if (width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shard " + file + " has rows of width " + width + " (shape "
                    + h.shapeText() + "), more than the " + Integer.MAX_VALUE + " columns a batch can have");
        }
        long dataOffset = Files.size(file) - h.dataBytes();
        return new Shard(file, h, dataOffset, rows, (int) width, firstRow);
    }

    int itemSize() {
        return header.itemSize();
    }

    long rowBytes() {
        return (long) width * itemSize();
    }

    ByteOrder byteOrder() {
        return header.descr().charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** The rows as they are read: {@code (3, 4, 256)} is 12 rows of width 256. */
    String shapeText() {
        return header.shapeText();
    }

    /**
     * Where row {@code row} (of this shard, flattened) sits in an n-d shard, for error messages:
     * empty for a matrix, {@code " (index [2, 1] of shape (3, 4, 256))"} for an array.
     */
    String rowIndexText(long row) {
        long[] shape = header.shape();
        if (shape.length <= 2) {
            return "";
        }
        long[] index = new long[shape.length - 1];
        long r = row;
        for (int k = index.length - 1; k >= 0; k--) {
            index[k] = r % shape[k];
            r /= shape[k];
        }
        return " (index " + java.util.Arrays.toString(index) + " of shape " + header.shapeText() + ")";
    }
}
