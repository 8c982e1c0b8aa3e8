package dev.saekit.files;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Files that appear complete or not at all. The bytes go to a hidden temporary file beside the
 * target ({@code .NAME.<random>.tmp}, in the same directory so that the rename cannot cross file
 * systems), which is forced to disk and then renamed over the target in one atomic step: a reader,
 * or a process killed halfway, sees the old file or the new one, never a mixture. On any failure the
 * temporary file is deleted and the target is left as it was.
 *
 * <p>The temporary file is created with {@code CREATE_NEW} rather than {@link Files#createTempFile},
 * which would make it, and so the target, readable by its owner only. A file system that cannot
 * rename atomically fails the write with {@link java.nio.file.AtomicMoveNotSupportedException}:
 * saekit never falls back to a copy that a crash could leave half-written.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** What fills the temporary file; the helper forces it to disk afterwards. */
    @FunctionalInterface
    public interface Body {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes {@code bytes} to {@code file}, atomically. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, ch -> writeFully(ch, ByteBuffer.wrap(bytes)));
    }

    /** Writes {@code text} to {@code file} as UTF-8, atomically. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes what {@code body} writes into the channel to {@code file}, atomically. */
    public static void write(Path file, Body body) throws IOException {
        try (Pending pending = create(file)) {
            body.write(pending.channel());
            pending.commit();
        }
    }

    /**
     * A temporary file for {@code file} that the caller fills over time (rows as they are computed)
     * and then {@linkplain Pending#commit() commits}; closing it uncommitted deletes it.
     */
    public static Pending create(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        return new Pending(file, tmp, FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** A file being written beside its target; use in try-with-resources so that a failure leaves nothing behind. */
    public static final class Pending implements AutoCloseable {
        private final Path file;
        private final Path tmp;
        private final FileChannel channel;
        private boolean committed;

        private Pending(Path file, Path tmp, FileChannel channel) {
            this.file = file;
            this.tmp = tmp;
            this.channel = channel;
        }

        /** The open channel onto the temporary file. */
        public FileChannel channel() {
            return channel;
        }

        /** A buffered UTF-8 writer onto the temporary file; closing it closes the channel, which {@link #commit()} allows. */
        public BufferedWriter writer() {
            Writer w = Channels.newWriter(channel, StandardCharsets.UTF_8);
            return new BufferedWriter(w);
        }

        /** Forces the bytes to disk and renames the temporary file over the target. */
        public void commit() throws IOException {
            if (committed) {
                throw new IllegalStateException(file + " is committed already");
            }
            if (channel.isOpen()) {
                channel.force(true);
                channel.close();
            } else { // closed through writer(): force through a channel of our own
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
        }

        /** Deletes the temporary file unless {@link #commit()} moved it into place; the target is untouched. */
        @Override
        public void close() throws IOException {
            if (channel.isOpen()) {
                channel.close();
            }
            if (!committed) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
