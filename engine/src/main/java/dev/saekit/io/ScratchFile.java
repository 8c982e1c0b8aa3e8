package dev.saekit.io;

import dev.saekit.tensor.MemoryBudget;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A private temporary file that holds the decompressed data of compressed shards, so that their
 * rows can be mapped and read at any position like those of an uncompressed file. It is created
 * in {@value #DIR_PROPERTY} (default: {@code java.io.tmpdir}), owner-only, and deleted at once
 * while it stays open: on Linux and macOS its name is gone immediately and its space returns to
 * the system when the data set is closed or the process ends, however it ends ({@code kill -9}
 * included). Where an open file cannot be deleted, it is deleted when the JVM exits. The free
 * space is checked before anything is written.
 */
final class ScratchFile implements AutoCloseable {
    /** System property naming the directory of scratch files. */
    static final String DIR_PROPERTY = "saekit.scratch.dir";

    private static final long MARGIN = 64L << 20;
    private static final Cleaner CLEANER = Cleaner.create();

    private final Path dir;
    private final FileChannel channel;
    private final Cleaner.Cleanable cleanable;
    private long size;

    private ScratchFile(Path dir, FileChannel channel) {
        this.dir = dir;
        this.channel = channel;
        this.cleanable = CLEANER.register(this, () -> {
            try {
                channel.close();
            } catch (IOException e) { // nothing to save
            }
        });
    }

    /** A scratch file for {@code bytes} bytes of {@code what}; an error naming both sizes if the disk lacks the room. */
    static ScratchFile create(long bytes, String what) throws IOException {
        Path dir = Path.of(System.getProperty(DIR_PROPERTY, System.getProperty("java.io.tmpdir")));
        long free = Files.getFileStore(dir).getUsableSpace();
        if (bytes > free - MARGIN) {
            throw new IOException(
                    "decompressing " + what + " needs " + MemoryBudget.format(bytes) + " of scratch space in " + dir
                            + ", which has " + MemoryBudget.format(Math.max(0, free)) + " free; set -D" + DIR_PROPERTY
                            + "=DIR to a"
                            + " larger disk, or store the data uncompressed (numpy.savez instead of savez_compressed, gunzip for IDX)");
        }
        Path file = Files.createTempFile(dir, "saekit-", ".scratch");
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            Files.delete(file);
        } catch (IOException e) { // an open file that cannot be deleted (Windows)
            file.toFile().deleteOnExit();
        }
        return new ScratchFile(dir, channel);
    }

    /** Appends the data bytes of {@code array}, decompressed and checked to their end; returns where they start. */
    long append(StoredArray array) throws IOException {
        long start = size;
        byte[] chunk = new byte[1 << 20];
        try (ArrayBytes in = ArrayBytes.open(array)) {
            for (long left = array.dataBytes(); left > 0; ) {
                int n = (int) Math.min(chunk.length, left);
                in.readFully(chunk, 0, n);
                ByteBuffer b = ByteBuffer.wrap(chunk, 0, n);
                while (b.hasRemaining()) {
                    size += channel.write(b, size);
                }
                left -= n;
            }
            in.finish();
        }
        return start;
    }

    FileChannel channel() {
        return channel;
    }

    /** Where the file is (its name is already gone). */
    Path dir() {
        return dir;
    }

    /** The bytes written. */
    long size() {
        return size;
    }

    @Override
    public void close() {
        cleanable.clean();
    }
}
