package dev.saekit.io;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One array of a sharded data set, checked before any data is read: C order, at least one row and
 * one column, rows no wider than one batch row can be. Its rows are read through mapped windows of
 * its own file (uncompressed data, read in place) or of the data set's {@link ScratchFile}
 * (compressed data, decompressed there once).
 *
 * @param array     where the array's data lies, its element type, byte order and row layout
 * @param rows      its rows (the product of its row axes)
 * @param width     the width of each row
 * @param firstRow  the data set's index of this shard's row 0
 * @param mapOffset where row 0 starts in the mapped file
 * @param scratch   whether the mapped file is the scratch file rather than the shard's own
 */
record Shard(StoredArray array, long rows, int width, long firstRow, long mapOffset, boolean scratch) {

    /** The shard {@code array}, whose row 0 is row {@code firstRow} of the data set. */
    static Shard of(StoredArray array, long firstRow) {
        String shape = Arrays.toString(array.info().shape());
        if (array.fortranOrder()) {
            throw new IllegalArgumentException("shard " + array.source() + " (shape " + shape + ") is stored in Fortran"
                    + " (column-major) order; streaming reads whole rows, which needs C order: save it with"
                    + " numpy.save(path, numpy.ascontiguousarray(a))");
        }
        RowLayout layout = array.layout();
        if (layout.rows() == 0 || layout.cols() == 0) {
            throw new IllegalArgumentException("shard " + array.source() + " is empty: shape " + shape
                    + "; every shard needs at least one row and one column (delete it or leave it out of the glob)");
        }
        if (layout.cols() > MatrixLoader.MAX_VALUES) {
            throw new DataTooLargeException(
                    "shard " + array.source() + " has rows of width " + layout.cols() + " ("
                            + layout.describe() + "), more than the " + MatrixLoader.MAX_VALUES
                            + " values one batch row can hold; read"
                            + " it with more row axes, so that rows are narrower",
                    layout.rows(),
                    layout.cols(),
                    Long.MAX_VALUE);
        }
        long offset = array.encoding() instanceof StoredArray.InPlace p ? p.offset() : -1;
        return new Shard(array, layout.rows(), (int) layout.cols(), firstRow, offset, false);
    }

    /** The same shard, its data now at {@code offset} of the scratch file. */
    Shard inScratch(long offset) {
        return new Shard(array, rows, width, firstRow, offset, true);
    }

    Path file() {
        return array.info().path();
    }

    int itemSize() {
        return array.type().size();
    }

    long rowBytes() {
        return (long) width * itemSize();
    }

    ByteOrder byteOrder() {
        return array.order();
    }
}
