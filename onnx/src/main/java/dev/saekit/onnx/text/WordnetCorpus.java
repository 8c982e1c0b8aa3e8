package dev.saekit.onnx.text;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * WordNet 3.0's glosses as documents, from the {@code data.noun}, {@code data.verb}, {@code
 * data.adj} and {@code data.adv} files of Debian's {@code wordnet-base} package ({@code
 * /usr/share/wordnet}).
 *
 * <p>A synset line ends in {@code | gloss}; the gloss holds definitions and example sentences (the
 * examples in double quotes) separated by {@code ; } outside quotes. Every definition and every
 * example becomes one document with the id {@code wn:POS:OFFSET:KIND}: POS is {@code n}, {@code
 * v}, {@code a} or {@code r}, OFFSET the synset's 8-digit offset, KIND {@code d1}, {@code d2}, ...
 * for definitions and {@code e1}, {@code e2}, ... for examples, in that order. An example's
 * attribution ({@code "..."- Henry Miller}) is left out, and so are empty parts. These are the rules
 * (and ids) of {@code onnx/data/make_wordnet_subset.py}, so the subset embedded in saekit is a
 * subset of this corpus, document for document. Lines that start with two spaces (the licence) and
 * synsets without a gloss are skipped.
 */
final class WordnetCorpus implements TextCorpus {
    /** The data files in the order they are read, with the part-of-speech letter of their ids. */
    private static final String[][] FILES = {{"noun", "n"}, {"verb", "v"}, {"adj", "a"}, {"adv", "r"}};
    /** A "; " with an even number of double quotes after it: a separator outside quotes. */
    private static final Pattern SEPARATOR = Pattern.compile(";\\s+(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");

    private static final Pattern OFFSET = Pattern.compile("\\d{8}");
    private static final Pattern TRAILING_SEMICOLONS = Pattern.compile(";+$");

    private final Path directory;

    WordnetCorpus(Path directory) {
        this.directory = directory;
    }

    @Override
    public String description() {
        return "WordNet 3.0 definitions and examples (" + directory + ")";
    }

    @Override
    public Reader open() throws IOException {
        for (String[] f : FILES) {
            Path file = directory.resolve("data." + f[0]);
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(
                        file.toString(),
                        null,
                        "no WordNet data file here; install the Debian package wordnet-base"
                                + " (apt-get install wordnet-base) or name the directory that holds data.noun");
            }
        }
        return new WordnetReader();
    }

    /**
     * The documents of one gloss: its definitions, then its examples, as {@code (kind, text)} pairs
     * such as {@code ("d1", "a domesticated carnivorous mammal")}.
     */
    static List<String[]> split(String gloss) {
        List<String> definitions = new ArrayList<>();
        List<String> examples = new ArrayList<>();
        for (String raw : SEPARATOR.split(gloss.strip(), -1)) {
            String part =
                    TRAILING_SEMICOLONS.matcher(raw.strip()).replaceFirst("").strip();
            if (part.startsWith("\"") && part.chars().filter(c -> c == '"').count() >= 2) {
                examples.add(part.substring(1, part.lastIndexOf('"')).strip());
            } else if (!part.isEmpty()) {
                definitions.add(part);
            }
        }
        List<String[]> out = new ArrayList<>();
        for (int i = 0; i < definitions.size(); i++) {
            out.add(new String[] {"d" + (i + 1), definitions.get(i)});
        }
        for (int i = 0; i < examples.size(); i++) {
            if (!examples.get(i).isEmpty()) {
                out.add(new String[] {"e" + (i + 1), examples.get(i)});
            }
        }
        return out;
    }

    private final class WordnetReader implements Reader {
        private final ArrayDeque<Document> pending = new ArrayDeque<>();
        private int fileIndex = -1;
        private NumberedLines in;

        @Override
        public Document next() throws IOException {
            while (pending.isEmpty()) {
                if (in == null && !nextFile()) {
                    return null;
                }
                String text = in.next();
                if (text == null) {
                    in.close();
                    in = null;
                    continue;
                }
                parse(text);
            }
            return pending.poll();
        }

        private boolean nextFile() throws IOException {
            if (++fileIndex >= FILES.length) {
                return false;
            }
            in = NumberedLines.of(directory.resolve("data." + FILES[fileIndex][0]));
            return true;
        }

        private void parse(String text) throws IOException {
            int bar = text.indexOf(" | ");
            if (text.startsWith("  ") || bar < 0) {
                return; // the licence header, or a synset without a gloss
            }
            int space = text.indexOf(' ');
            String offset = text.substring(0, space);
            if (!OFFSET.matcher(offset).matches()) {
                throw in.error("a synset line starts with its 8-digit offset, this one with '" + offset + "'");
            }
            String prefix = "wn:" + FILES[fileIndex][1] + ":" + offset + ":";
            for (String[] doc : split(text.substring(bar + 3))) {
                pending.add(new Document(prefix + doc[0], doc[1]));
            }
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }
}
