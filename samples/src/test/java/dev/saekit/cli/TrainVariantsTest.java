package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code saekit train --variant NAME} for every variant, and its help. */
class TrainVariantsTest {

    static java.util.List<VariantKind> variants() {
        return VariantSpec.kinds();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyVariantTrainsOnTheEmbeddedDataAndReconstructs(VariantKind v) {
        CliRun run = CliRun.of(
                "train",
                "--variant",
                v.name(),
                "--epochs",
                "2",
                "--concepts",
                "128",
                "--no-progress",
                "--top-concepts",
                "1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("variant=" + v.name()), run.out());
        Matcher r2 = Pattern.compile("(?m)^  r2\\s+(\\S+)").matcher(run.out());
        assertTrue(r2.find(), run.out());
        assertTrue(Double.parseDouble(r2.group(1)) > 0.2, "r2 after two epochs: " + r2.group(1));
    }

    @Test
    void anArchetypalDictionaryCanBackAnyVariant() {
        CliRun run = CliRun.of(
                "train",
                "--variant",
                "topk",
                "--archetypal",
                "256",
                "--epochs",
                "1",
                "--concepts",
                "128",
                "--no-progress",
                "--top-concepts",
                "0");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("dictionary=archetypal(points=256"), run.out());
    }

    @Test
    void helpListsEveryVariantAndItsOptions() {
        CliRun run = CliRun.of("train", "--help");
        assertEquals(0, run.exitCode());
        String text = run.out().replaceAll("\\s+", " "); // the help wraps long lines
        for (VariantKind v : VariantSpec.kinds()) {
            assertTrue(
                    text.contains(" " + v.name() + " " + v.description()),
                    "help lists " + v.name() + " and its description");
        }
        for (String option : new String[] {
            "--variant",
            "--k",
            "--momentum",
            "--kernel",
            "--bandwidth",
            "--dropout",
            "--max-iter",
            "--nesting",
            "--prefixes",
            "--soft-cap",
            "--level-weights",
            "--level-loss",
            "--archetypal",
            "--delta",
            "--aux",
            "--aux-weight"
        }) {
            assertTrue(run.out().contains(option), "help lists " + option);
        }
    }

    @Test
    void anOptionTheVariantDoesNotReadIsRefusedNamingWhoReadsIt() {
        CliRun k = CliRun.of("train", "--k", "8", "--no-progress");
        assertEquals(SaekitCli.EXIT_USAGE, k.exitCode());
        assertEquals(
                java.util.List.of(
                        "saekit: error: --k does not apply to --variant vanilla (it is read by topk, batchtopk, mp, omp, "
                                + "matryoshka)"),
                k.errLines());
        for (String[] args : new String[][] {
            {"--variant", "topk", "--kernel", "gaussian"}, {"--variant", "jumprelu", "--momentum", "0.5"},
            {"--variant", "msae", "--archetypal", "600"}, {"--variant", "topk", "--nesting", "2,4"},
            {"--variant", "vanilla", "--aux-window", "5"}, {"--variant", "mp", "--aux-weight", "0.1"},
            {"--variant", "topk", "--delta", "0.5"}, {"--variant", "msae", "--loss", "mse"},
            {"--variant", "topk", "--l1", "0.1"}, {"--schedule", "constant", "--final-lr-factor", "0.5"}
        }) {
            String[] all = java.util.Arrays.copyOf(new String[] {"train", "--no-progress"}, 2 + args.length);
            System.arraycopy(args, 0, all, 2, args.length);
            CliRun run = CliRun.of(all);
            assertEquals(SaekitCli.EXIT_USAGE, run.exitCode(), String.join(" ", args) + ": " + run.err());
            assertEquals(1, run.errLines().size(), run.err());
            String option = java.util.Arrays.stream(args)
                    .filter(a -> a.startsWith("--") && !a.equals("--variant") && !a.equals("--schedule"))
                    .findFirst()
                    .orElseThrow();
            assertTrue(run.err().startsWith("saekit: error: " + option + " "), option + ": " + run.err());
        }
    }

    @Test
    void badVariantSettingsAreOneUsageLine() {
        CliRun unknown = CliRun.of("train", "--variant", "sparse", "--no-progress");
        assertEquals(SaekitCli.EXIT_USAGE, unknown.exitCode());
        assertEquals(1, unknown.errLines().size(), unknown.err());
        assertTrue(unknown.err().contains("--variant") && unknown.err().contains("batchtopk"), unknown.err());
        CliRun badK = CliRun.of("train", "--variant", "topk", "--k", "0", "--no-progress");
        assertEquals(SaekitCli.EXIT_USAGE, badK.exitCode());
        assertEquals(java.util.List.of("saekit: error: --k must be >= 1, was 0"), badK.errLines());
        CliRun largeK = CliRun.of("train", "--variant", "batchtopk", "--concepts", "8", "--k", "16", "--no-progress");
        assertEquals(
                java.util.List.of("saekit: error: --k must be in 1..8 (--concepts) per sample, was 16"),
                largeK.errLines());
        CliRun badMomentum = CliRun.of("train", "--variant", "batchtopk", "--momentum", "1", "--no-progress");
        assertEquals(java.util.List.of("saekit: error: --momentum must be in [0, 1), was 1.0"), badMomentum.errLines());
        CliRun badNesting = CliRun.of("train", "--variant", "msae", "--nesting", "4,4", "--no-progress");
        assertEquals(
                java.util.List.of(
                        "saekit: error: --nesting must be distinct k values (each level needs its own), was [4, 4]"),
                badNesting.errLines());
        CliRun revive = CliRun.of("train", "--variant", "topk", "--aux", "mp_revive", "--no-progress");
        assertEquals(SaekitCli.EXIT_USAGE, revive.exitCode());
        assertTrue(revive.err().contains("--variant mp"), revive.err());
    }
}
