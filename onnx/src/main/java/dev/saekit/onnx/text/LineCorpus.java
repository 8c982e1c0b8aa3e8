package dev.saekit.onnx.text;

import java.io.IOException;
import java.nio.file.Path;

/** A UTF-8 text file, one document per non-blank line (as it is, without its line ending), with the id {@code FILE:LINE}. */
final class LineCorpus implements TextCorpus {
    private final Path file;

    LineCorpus(Path file) {
        this.file = file;
    }

    @Override
    public String description() {
        return "lines of " + file;
    }

    @Override
    public Reader open() throws IOException {
        NumberedLines lines = NumberedLines.of(file);
        String name = String.valueOf(file.getFileName());
        return new Reader() {
            @Override
            public Document next() throws IOException {
                String line;
                while ((line = lines.next()) != null) {
                    if (!line.isBlank()) {
                        return new Document(name + ":" + lines.number(), line);
                    }
                }
                return null;
            }

            @Override
            public void close() throws IOException {
                lines.close();
            }
        };
    }
}
