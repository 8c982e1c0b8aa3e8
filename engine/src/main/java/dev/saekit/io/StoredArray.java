package dev.saekit.io;

import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where one array's elements lie and how to decode them, whatever the format: the common ground of
 * the readers ({@link Npy}, {@link Npz}, {@link Safetensors}, {@link Idx}) and of what reads data
 * ({@link DataLocation}, {@link ShardedDataset}). Every size in it was checked against the file
 * when it was made; nothing has been read beyond the headers.
 *
 * @param info         the file, format, name, element type, shape and row layout
 * @param order        the byte order of the elements
 * @param fortranOrder whether the elements are stored first axis fastest ({@code .npy} only)
 * @param encoding     where the bytes are: in place, or compressed
 */
record StoredArray(DataFileInfo info, ByteOrder order, boolean fortranOrder, Encoding encoding) {

    StoredArray {
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(order, "order");
        Objects.requireNonNull(encoding, "encoding");
    }

    /** How the bytes of the array are kept. */
    sealed interface Encoding permits InPlace, Deflated, Gzipped {}

    /**
     * Uncompressed: the data is bytes {@code [offset, offset + dataBytes())} of the file, which can be
     * mapped. For a stored zip member, {@code zip} gives the member's bytes and CRC-32, checked when
     * the array is read in full; null otherwise.
     */
    record InPlace(long offset, ZipMember zip) implements Encoding {}

    /** A stored zip member: {@code size} bytes at {@code offset} (header included) whose CRC-32 is {@code crc}. */
    record ZipMember(long offset, long size, long crc) {}

    /**
     * A deflated zip member: the compressed bytes {@code [offset, offset + length)} inflate to
     * {@code size} bytes with CRC-32 {@code crc}, the first {@code skip} of which are the .npy header.
     */
    record Deflated(long offset, long length, long size, long crc, long skip) implements Encoding {}

    /** A gzip file, all of it, whose decompressed bytes are {@code skip} header bytes and then the data. */
    record Gzipped(long skip) implements Encoding {}

    /** The element type as stored. */
    ElementType type() {
        return info.dtype();
    }

    /** How errors name the array: {@code x.npy}, {@code x.npz, member 'a.npy'}, {@code x.safetensors, tensor 'w'}. */
    String source() {
        return info.source();
    }

    RowLayout layout() {
        return info.layout();
    }

    long elements() {
        return layout().elements();
    }

    /** The size of the data: elements times the element size (checked not to overflow when the header was read). */
    long dataBytes() {
        return Math.multiplyExact(elements(), (long) type().size());
    }

    /** Whether rows can be read in place, at any position, through mapped windows. */
    boolean mappable() {
        return encoding instanceof InPlace && !fortranOrder;
    }

    /** Whether the data must be decompressed to be read. */
    boolean compressed() {
        return !(encoding instanceof InPlace);
    }

    /** The same array with another row layout. */
    StoredArray withRowAxes(int rowAxes) {
        DataFileInfo i = new DataFileInfo(info.path(), info.format(), info.name(), info.dtype(), info.shape(), rowAxes);
        return new StoredArray(i, order, fortranOrder, encoding);
    }

    /**
     * The C-order index (into the matrix, row-major) of the element at storage position
     * {@code position}: itself in C order; for Fortran order, where the first axis varies fastest
     * on disk, the same element's C-order index.
     */
    long cIndex(long position) {
        if (!fortranOrder) {
            return position;
        }
        long[] shape = info.shape();
        long rest = position;
        long index = 0;
        long stride = 1;
        long[] strides = new long[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            strides[k] = stride;
            stride *= shape[k];
        }
        for (int k = 0; k < shape.length; k++) {
            long i = rest % shape[k];
            rest /= shape[k];
            index += i * strides[k];
        }
        return index;
    }

    @Override
    public String toString() {
        return "StoredArray[" + source() + ", " + type() + " " + Arrays.toString(info.shape()) + ", " + order
                + (fortranOrder ? ", Fortran order" : "") + ", " + encoding + "]";
    }
}
