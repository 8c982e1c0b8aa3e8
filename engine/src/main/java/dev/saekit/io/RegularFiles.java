package dev.saekit.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The readers open regular files only, and check before opening: opening a FIFO with no writer
 * blocks forever, a device never ends, and neither has a length to check a header against. A
 * directory, a FIFO, a socket, a device, a dangling link or a loop of links is one
 * {@link MalformedFileException} that says what the path is.
 */
final class RegularFiles {
    /** The file type bits of {@code st_mode}, and the types among them. */
    private static final int S_IFMT = 0170000;

    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFSOCK = 0140000;

    private RegularFiles() {}

    /** {@code file} opened for reading, after checking that it is a regular file. */
    static FileChannel open(Path file) throws IOException {
        require(file);
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /** Checks that {@code file} (links followed) is a regular file; a missing file is a {@link NoSuchFileException}. */
    static void require(Path file) throws IOException {
        BasicFileAttributes a = attributes(file);
        if (!a.isRegularFile()) {
            throw new MalformedFileException(
                    file.toString(),
                    "is " + kind(file, a) + ", not a regular file; saekit reads data"
                            + " from regular files, or from a directory or glob of them");
        }
    }

    /**
     * The attributes of {@code path}, links followed: a dangling link or a loop of links is a
     * {@link MalformedFileException}; a missing path a {@link NoSuchFileException}.
     */
    static BasicFileAttributes attributes(Path path) throws IOException {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            if (Files.isSymbolicLink(path)) {
                throw new MalformedFileException(
                        path.toString(),
                        "is a symbolic link to " + Text.quote(linkTarget(path)) + ", which does not exist");
            }
            throw e;
        } catch (AccessDeniedException e) {
            throw e;
        } catch (FileSystemException e) { // ELOOP and the like: the reason is the operating system's
            String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
            throw new MalformedFileException(
                    path.toString(),
                    "cannot be opened: " + reason + (Files.isSymbolicLink(path) ? " (a loop of symbolic links?)" : ""));
        }
    }

    /** "a directory", "a FIFO (named pipe)", "a socket", "a character device", "a block device" or "a special file". */
    static String kind(Path path, BasicFileAttributes a) {
        if (a.isDirectory()) {
            return "a directory";
        }
        if (a.isRegularFile()) {
            return "a regular file";
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "a special file";
        }
        switch (mode & S_IFMT) {
            case S_IFIFO:
                return "a FIFO (named pipe)";
            case S_IFSOCK:
                return "a socket";
            case S_IFCHR:
                return "a character device";
            case S_IFBLK:
                return "a block device";
            default:
                return "a special file";
        }
    }

    private static String linkTarget(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "?";
        }
    }
}
