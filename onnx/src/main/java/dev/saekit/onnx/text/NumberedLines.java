package dev.saekit.onnx.text;

import dev.saekit.io.MalformedFileException;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The lines of a UTF-8 text, counted from 1, for errors that name the line; bytes that are not UTF-8 are an error. */
final class NumberedLines implements Closeable {
    private final String source;
    private final BufferedReader in;
    private long number;

    private NumberedLines(String source, BufferedReader in) {
        this.source = source;
        this.in = in;
    }

    static NumberedLines of(Path file) throws IOException {
        return new NumberedLines(file.toString(), Files.newBufferedReader(file, StandardCharsets.UTF_8));
    }

    /** The lines of {@code in}, named {@code source} in errors. */
    static NumberedLines of(InputStream in, String source) {
        return new NumberedLines(
                source,
                new BufferedReader(new InputStreamReader(
                        in,
                        StandardCharsets.UTF_8
                                .newDecoder()
                                .onMalformedInput(CodingErrorAction.REPORT)
                                .onUnmappableCharacter(CodingErrorAction.REPORT))));
    }

    /** The next line without its ending, or null at the end. */
    String next() throws IOException {
        try {
            String line = in.readLine();
            if (line != null) {
                number++;
            }
            return line;
        } catch (CharacterCodingException e) {
            throw error(number + 1, "not UTF-8 text");
        }
    }

    /** The number of the line {@link #next()} returned last. */
    long number() {
        return number;
    }

    String source() {
        return source;
    }

    /** {@code SOURCE: line N: detail}. */
    MalformedFileException error(long line, String detail) {
        return new MalformedFileException(source, "line " + line + ": " + detail);
    }

    MalformedFileException error(String detail) {
        return error(number, detail);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
