package dev.saekit.io;

import dev.saekit.files.AtomicFiles;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a matrix {@code [rows, cols]} to a {@code .npy} file a block of rows at a time, so that a
 * result larger than memory (the codes of a large data set) streams to disk. The rows go to a
 * temporary file beside the target; {@link #commit()} writes the final row count into the header
 * (NumPy's headers keep room for the first axis to grow), forces the file to disk and renames it
 * into place. Until then the target is untouched, and {@link #close()} without a commit deletes the
 * temporary file: the file appears complete or not at all.
 */
public final class NpyRowWriter implements AutoCloseable {
    private final Path file;
    private final AtomicFiles.Pending pending;
    private final DType dtype;
    private final int cols;
    private final FileChannel channel;
    private final int headerLength;
    private final dev.saekit.tensor.Buffers scratch;
    private long rows;
    private boolean committed;

    private NpyRowWriter(Path file, DType dtype, int cols) throws IOException {
        this.file = file;
        this.dtype = dtype;
        this.cols = cols;
        this.scratch = new dev.saekit.tensor.Buffers(dtype);
        this.pending = AtomicFiles.create(file);
        this.channel = pending.channel();
        byte[] header = Npy.headerBytes(dtype, new long[] {0, cols});
        this.headerLength = header.length;
        try {
            write(ByteBuffer.wrap(header));
        } catch (IOException | RuntimeException e) {
            pending.close(); // no writer to close it: delete the temporary file here
            throw e;
        }
    }

    /** A writer of rows of {@code cols} values of {@code dtype} into {@code file}. */
    public static NpyRowWriter open(Path file, DType dtype, int cols) throws IOException {
        if (cols < 0) {
            throw new IllegalArgumentException("cols must be >= 0, was " + cols);
        }
        return new NpyRowWriter(file, dtype, cols);
    }

    /** Appends the rows of {@code block} ({@code [n, cols]}, any float type: converted to this writer's dtype). */
    public void append(INDArray block) throws IOException {
        if (committed) {
            throw new IllegalStateException("the file is committed; open another writer");
        }
        Tensors.requireMatrix("rows", block, cols);
        if (java.nio.ByteOrder.nativeOrder() != java.nio.ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("saekit writes .npy files on little-endian machines only");
        }
        // written from the block's own memory when it is laid out as stored; else through one reused copy
        // (a fresh native array per block would only be freed by a garbage collection the small heap never needs)
        boolean asStored = block.ordering() == 'c'
                && !block.isView()
                && block.offset() == 0
                && block.dataType() == dtype.nd4j()
                && block.data().length() == block.length();
        INDArray values =
                asStored ? block : scratch.get("rows", block.rows(), cols).assign(block);
        ByteBuffer bytes = values.data().asNio().order(java.nio.ByteOrder.nativeOrder());
        bytes.limit((int) (values.length() * (dtype == DType.FLOAT32 ? 4 : 8)));
        write(bytes);
        rows += block.rows();
    }

    /** Rows appended so far. */
    public long rows() {
        return rows;
    }

    /** Writes the final shape into the header, forces the file to disk and moves it into place. */
    public void commit() throws IOException {
        byte[] header = Npy.headerBytes(dtype, new long[] {rows, cols});
        if (header.length != headerLength) { // cannot happen: the header keeps room for 21 digits
            throw new IllegalStateException(
                    "the .npy header grew from " + headerLength + " to " + header.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(header);
        while (b.hasRemaining()) {
            channel.write(b, b.position());
        }
        pending.commit();
        committed = true;
    }

    /** Deletes the temporary file unless {@link #commit()} moved it into place. */
    @Override
    public void close() throws IOException {
        pending.close();
    }

    private void write(ByteBuffer b) throws IOException {
        try {
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new IOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
