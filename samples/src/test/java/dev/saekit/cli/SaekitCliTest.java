package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/** The top-level command and the help of {@code train}. */
class SaekitCliTest {

    @Test
    void withoutASubcommandItListsTheSubcommands() {
        CliRun run = CliRun.of();
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("train"), run.out());
        assertTrue(run.out().contains("Commands:"), run.out());
    }

    @Test
    void versionPrintsTheProjectVersion() {
        CliRun run = CliRun.of("--version");
        assertEquals(0, run.exitCode());
        assertTrue(
                Pattern.compile("^saekit \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?$")
                        .matcher(run.out().trim())
                        .matches(),
                run.out());
    }

    @Test
    void trainHelpListsEveryOptionWithItsDefault() {
        CliRun run = CliRun.of("train", "--help");
        assertEquals(0, run.exitCode());
        String help = run.out();
        for (String name : new String[] {
            "--data",
            "--labels",
            "--concepts",
            "--encoder",
            "--normalization",
            "--multiplier",
            "--dtype",
            "--epochs",
            "--batch-size",
            "--lr",
            "--optimizer",
            "--weight-decay",
            "--schedule",
            "--warmup",
            "--final-lr-factor",
            "--clip",
            "--loss",
            "--l1",
            "--[no-]center",
            "--seed",
            "--out",
            "--no-progress",
            "--top-concepts",
            "--top-words",
            "--help",
            "--version"
        }) {
            assertTrue(help.contains(name), name + " missing from:\n" + help);
        }
        for (OptionSpec option : run.train().spec.options()) {
            assertTrue(!option.description()[0].isBlank(), option.longestName() + " has no description");
            if (option.defaultValue() != null && !option.usageHelp() && !option.versionHelp()) {
                // description() is the rendered text: ${DEFAULT-VALUE} already replaced
                assertTrue(
                        String.join(" ", option.description()).contains("Default: " + option.defaultValue() + "."),
                        option.longestName() + " does not show its default");
            }
        }
        assertTrue(
                help.replaceAll("\\s+", " ").contains("Default: 512."), "the rendered default of --concepts:\n" + help);
    }

    @Test
    void anUnknownOptionIsOneUsageLineWithWhereToReadMore() {
        CliRun run = CliRun.of("train", "--bogus");
        assertEquals(2, run.exitCode());
        assertEquals(
                java.util.List.of("saekit: error: unknown option '--bogus'; see saekit train --help"), run.errLines());
    }

    @Test
    void anUnknownOptionComesBeforeTheRequiredOneItWasMeantToBe() {
        CliRun misnamed = CliRun.of("import", "--format", "saelens", "--model", "sae-dir", "--out", "imported");
        assertEquals(2, misnamed.exitCode());
        assertEquals(
                java.util.List.of("saekit: error: unknown option '--model' (missing required option: '--from=PATH'); "
                        + "see saekit import --help"),
                misnamed.errLines());
        CliRun missing = CliRun.of("encode", "--data", "x.npy", "--out", "codes.npy", "--no-center", "--batch-size=64");
        assertEquals(2, missing.exitCode());
        assertEquals(
                java.util.List.of("saekit: error: Missing required option: '--model=DIR'; see saekit encode --help"),
                missing.errLines());
    }

    @Test
    void aMisspelledOptionGetsPicoclisSuggestion() {
        CliRun run = CliRun.of("train", "--epoch", "3");
        assertEquals(2, run.exitCode());
        assertEquals(
                java.util.List.of(
                        "saekit: error: unknown option '--epoch' (did you mean --epochs?); see saekit train --help"),
                run.errLines());
    }

    @Test
    void aMalformedValueNamesTheOption() {
        CliRun run = CliRun.of("train", "--epochs", "many");
        assertEquals(2, run.exitCode());
        assertEquals(
                java.util.List.of(
                        "saekit: error: Invalid value for option '--epochs': 'many' is not an int; see saekit train --help"),
                run.errLines());
    }
}
