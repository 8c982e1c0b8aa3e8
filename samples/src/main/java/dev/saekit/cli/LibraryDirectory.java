package dev.saekit.cli;

import dev.saekit.io.DictionaryLearningFormat;
import dev.saekit.io.SaeLensFormat;
import dev.saekit.io.SparsifyFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The directory formats of {@code import} and {@code export}: their files, checked before reading with one clear error. */
enum LibraryDirectory {
    SAELENS("saelens", "SAELens", List.of(SaeLensFormat.CONFIG, SaeLensFormat.WEIGHTS)),
    SPARSIFY("sparsify", "sparsify", List.of(SparsifyFormat.CONFIG, SparsifyFormat.WEIGHTS)),
    DICTIONARY_LEARNING(
            "dictionary-learning",
            "dictionary_learning",
            List.of(DictionaryLearningFormat.CONFIG, DictionaryLearningFormat.WEIGHTS));

    private final String option;
    private final String library;
    private final List<String> files;

    LibraryDirectory(String option, String library, List<String> files) {
        this.option = option;
        this.library = library;
        this.files = files;
    }

    /** The directory format named {@code option} (lower case), or null for another. */
    static LibraryDirectory of(String option) {
        for (LibraryDirectory d : values()) {
            if (d.option.equals(option)) {
                return d;
            }
        }
        return null;
    }

    /** {@code dir} is a directory holding this format's files; otherwise an input error saying which and what to do. */
    void requireFiles(Path dir) throws CliException {
        String holds = library + " directory (" + String.join(", ", files) + ")";
        if (!Files.isDirectory(dir)) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    "--from " + dir + (Files.exists(dir) ? " is a file" : " does not exist") + "; give the " + holds);
        }
        for (String f : files) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new CliException(
                        SaekitCli.EXIT_INPUT,
                        "--from " + dir + " has no " + f + ", so it is not a " + holds + "; check the path or --format "
                                + option);
            }
        }
    }
}
