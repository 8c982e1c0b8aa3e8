package dev.saekit.onnx.text;

import dev.saekit.io.MalformedFileException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The lines of a UTF-8 text, counted from 1, for errors that name the line. A line ends at
 * {@code \n}, {@code \r\n} or {@code \r}; bytes that are not UTF-8 are an error naming their line.
 */
final class NumberedLines implements Closeable {
    private final String source;
    private final InputStream in;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private long number;

    private NumberedLines(String source, InputStream in) {
        this.source = source;
        this.in = new BufferedInputStream(in, 1 << 16);
    }

    static NumberedLines of(Path file) throws IOException {
        return new NumberedLines(file.toString(), Files.newInputStream(file));
    }

    /** The lines of {@code in}, named {@code source} in errors. */
    static NumberedLines of(InputStream in, String source) {
        return new NumberedLines(source, in);
    }

    /** The next line without its ending, or null at the end. */
    String next() throws IOException {
        line.reset();
        int b = in.read();
        if (b < 0) {
            return null;
        }
        while (b >= 0 && b != '\n' && b != '\r') {
            line.write(b);
            b = in.read();
        }
        if (b == '\r') {
            in.mark(1);
            if (in.read() != '\n') {
                in.reset();
            }
        }
        number++;
        try {
            return utf8.decode(ByteBuffer.wrap(line.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw error("not UTF-8 text");
        }
    }

    /** The number of the line {@link #next()} returned last. */
    long number() {
        return number;
    }

    /** {@code SOURCE: line N: detail}. */
    MalformedFileException error(long line, String detail) {
        return new MalformedFileException(source, "line " + line + ": " + detail);
    }

    /** {@link #error(long, String)} of the line {@link #next()} returned last. */
    MalformedFileException error(String detail) {
        return error(number, detail);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
