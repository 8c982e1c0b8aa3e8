package dev.saekit.onnx.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The King James Bible, one verse per document, with the id {@code kjv:REFERENCE} ({@code
 * kjv:Ge1:1} ... {@code kjv:Rev22:21}, 31,102 verses). Debian ships the text compressed in its own
 * format ({@code /usr/lib/bible.data}, package {@code bible-kjv-text}), readable only through the
 * {@code bible} program (package {@code bible-kjv}): {@code bible -f Gen1:1-Rev22:21} prints every
 * verse on one line, {@code REFERENCE TEXT}, in canonical order. Its output is read as it comes.
 */
final class BibleCorpus implements TextCorpus {
    static final List<String> COMMAND = List.of("bible", "-f", "Gen1:1-Rev22:21");
    static final String INSTALL =
            "install the Debian packages bible-kjv and bible-kjv-text" + " (apt-get install bible-kjv bible-kjv-text)";
    private static final Pattern VERSE = Pattern.compile("([1-3]?[A-Za-z]+\\d+:\\d+) (.*)");

    private BibleCorpus() {}

    static BibleCorpus program() {
        return new BibleCorpus();
    }

    @Override
    public String description() {
        return "King James Bible, one verse per document (" + String.join(" ", COMMAND) + ")";
    }

    @Override
    public Reader open() throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(COMMAND).start();
        } catch (IOException e) {
            throw new NoSuchFileException(
                    "bible", null, "the program cannot be run (" + e.getMessage() + "); " + INSTALL);
        }
        process.getOutputStream().close();
        NumberedLines lines =
                NumberedLines.of(process.getInputStream(), "the output of '" + String.join(" ", COMMAND) + "'");
        return new Reader() {
            @Override
            public Document next() throws IOException {
                String line = lines.next();
                if (line == null) {
                    finish(process);
                    return null;
                }
                return verse(lines, line);
            }

            @Override
            public void close() throws IOException {
                lines.close();
                process.destroy();
            }
        };
    }

    /** The document of one line {@code REFERENCE TEXT} of {@code bible -f}. */
    static Document verse(NumberedLines lines, String line) throws IOException {
        Matcher m = VERSE.matcher(line);
        if (!m.matches()) {
            throw lines.error("not a verse 'BOOKCHAPTER:VERSE text' but '" + abbreviate(line) + "'");
        }
        return new Document("kjv:" + m.group(1), m.group(2));
    }

    private static void finish(Process process) throws IOException {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                throw new IOException(String.join(" ", COMMAND) + " did not exit after its output ended");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + String.join(" ", COMMAND), e);
        }
        if (process.exitValue() != 0) {
            String err;
            try (InputStream in = process.getErrorStream()) {
                err = new String(in.readNBytes(1000), StandardCharsets.UTF_8).strip();
            }
            throw new IOException(String.join(" ", COMMAND) + " failed with exit code " + process.exitValue()
                    + (err.isEmpty() ? "" : " (" + err + ")") + "; " + INSTALL);
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
