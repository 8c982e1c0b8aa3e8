package dev.saekit.io;

import java.io.IOException;

/**
 * A file that cannot be read as data: its content is wrong (a bad magic string, a header that
 * does not parse, a size that does not match, a corrupt compressed stream, trailing bytes) or it
 * is not a regular file at all (a FIFO, a device, a directory where a file is expected, a dangling
 * link). The message starts with the file's name and says what is wrong and where (a byte offset
 * or a header field).
 */
public final class MalformedFileException extends IOException {
    private final String source;

    public MalformedFileException(String source, String detail) {
        super(source + ": " + detail);
        this.source = source;
    }

    /** The file (or stream) name the message starts with. */
    public String source() {
        return source;
    }
}
