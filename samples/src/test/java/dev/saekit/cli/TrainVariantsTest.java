package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.model.Variant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code saekit train --variant NAME} for every variant, and its help. */
class TrainVariantsTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(Variant.class)
    void everyVariantTrainsOnTheEmbeddedDataAndReconstructs(Variant v) {
        CliRun run = CliRun.of("train", "--variant", v.label(), "--epochs", "2", "--concepts", "128", "--no-progress",
                "--top-concepts", "1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("variant=" + v.label()), run.out());
        Matcher r2 = Pattern.compile("(?m)^  r2\\s+(\\S+)").matcher(run.out());
        assertTrue(r2.find(), run.out());
        assertTrue(Double.parseDouble(r2.group(1)) > 0.2, "r2 after two epochs: " + r2.group(1));
    }

    @Test
    void anArchetypalDictionaryCanBackAnyVariant() {
        CliRun run = CliRun.of("train", "--variant", "topk", "--archetypal", "256", "--epochs", "1", "--concepts", "128",
                "--no-progress", "--top-concepts", "0");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("dictionary=archetypal(points=256"), run.out());
    }

    @Test
    void helpListsEveryVariantAndItsOptions() {
        CliRun run = CliRun.of("train", "--help");
        assertEquals(0, run.exitCode());
        for (Variant v : Variant.values()) {
            assertTrue(run.out().contains("  " + v.label() + " "), "help lists " + v.label());
        }
        for (String option : new String[]{"--variant", "--k", "--momentum", "--kernel", "--bandwidth", "--dropout", "--max-iter",
            "--nesting", "--prefixes", "--soft-cap", "--level-weights", "--level-loss", "--archetypal", "--delta", "--aux",
            "--aux-weight"}) {
            assertTrue(run.out().contains(option), "help lists " + option);
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
        assertTrue(badK.err().contains("topK") && badK.err().contains("was 0"), badK.err());
        CliRun revive = CliRun.of("train", "--variant", "topk", "--aux", "mp_revive", "--no-progress");
        assertEquals(SaekitCli.EXIT_USAGE, revive.exitCode());
        assertTrue(revive.err().contains("--variant mp"), revive.err());
    }
}
