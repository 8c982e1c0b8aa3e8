package dev.saekit.cli;

import dev.saekit.io.DictionaryLearningFormat;
import dev.saekit.io.SaeLensFormat;
import dev.saekit.io.SparsifyFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The directory formats of {@code import} and {@code export}: their files, checked before reading with one clear error. */
enum LibraryDirectory {
    SAELENS("saelens", "SAELens", SaeLensFormat.CONFIG, List.of(SaeLensFormat.WEIGHTS)),
    SPARSIFY("sparsify", "sparsify", SparsifyFormat.CONFIG, List.of(SparsifyFormat.WEIGHTS)),
    DICTIONARY_LEARNING(
            "dictionary-learning",
            "dictionary_learning",
            DictionaryLearningFormat.CONFIG,
            List.of(DictionaryLearningFormat.WEIGHTS, DictionaryLearningFormat.CROSSCODER_WEIGHTS));

    private final String option;
    private final String library;
    private final String config;
    /** The weights file: one of these (an SAE's or a crosscoder's). */
    private final List<String> weights;

    LibraryDirectory(String option, String library, String config, List<String> weights) {
        this.option = option;
        this.library = library;
        this.config = config;
        this.weights = weights;
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
        String holds = library + " directory (" + config + ", " + String.join(" or ", weights) + ")";
        if (!Files.isDirectory(dir)) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    "--from " + dir + (Files.exists(dir) ? " is a file" : " does not exist") + "; give the " + holds);
        }
        String missing = !Files.isRegularFile(dir.resolve(config))
                ? config
                : weights.stream().noneMatch(f -> Files.isRegularFile(dir.resolve(f)))
                        ? String.join(" nor ", weights)
                        : null;
        if (missing != null) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    "--from " + dir + " has no " + missing + ", so it is not a " + holds
                            + "; check the path or --format " + option);
        }
    }
}
