package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saekit train}'s training features: normalisation, decoder-bias init, warm-up, k annealing, resampling. */
class TrainFeaturesCommandTest {
    @TempDir
    Path tmp;

    private static CliRun train(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "train",
                "--concepts",
                "64",
                "--epochs",
                "1",
                "--batch-size",
                "256",
                "--no-progress",
                "--top-concepts",
                "0"));
        args.addAll(Arrays.asList(extra));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void aNormalisedResampledWarmedUpRunSavesItsSettingsAndAFoldedModel() throws IOException {
        Path out = tmp.resolve("run");
        CliRun run = train(
                "--variant",
                "vanilla",
                "--normalize",
                "unit",
                "--resample-every",
                "5",
                "--resample-until",
                "20",
                "--l1-warmup",
                "10",
                "--checkpoint-every",
                "4",
                "--out",
                out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.out().contains(", normalize unit(x")
                        && run.out().contains("l1 warm-up 10 steps")
                        && run.out().contains("resample every 5 steps until step 20"),
                run.out());
        Checkpoint model = Checkpoints.load(out.resolve("model"));
        JsonNode training = model.training();
        assertEquals("unit", training.at("/normalization/kind").asText(), training.toString());
        double s = training.at("/normalization/factor").asDouble();
        assertTrue(s > 0, training.toString());
        assertEquals(10, training.get("sparsity_warmup_steps").asLong());
        assertEquals(5, training.at("/resampling/every").asLong());
        // the saved model takes the rows as encode gives them: the factor is folded into the multiplier
        // the model computes in float32: the multiplier holds -ln(s) rounded to float
        assertEquals(
                (double) (float) -Math.log(s),
                model.model()
                        .parameter("dictionary.multiplier")
                        .orElseThrow()
                        .value()
                        .getDouble(0),
                0.0);
        // a checkpoint keeps the weights as trained and attaches the factor for encode and export
        Checkpoint step = Checkpoints.load(out.resolve("checkpoints"));
        assertEquals(s, step.attachments().get("data_scale").getDouble(0), 0.0);
        assertEquals(
                0.0,
                step.model()
                        .parameter("dictionary.multiplier")
                        .orElseThrow()
                        .value()
                        .getDouble(0),
                0.0);
    }

    @Test
    void kAnnealsFromTheGivenStart() {
        CliRun run = train("--variant", "topk", "--k", "4", "--k-anneal", "5", "--k-start", "16");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("k from 16 over 5 steps"), run.out());
    }

    @Test
    void badValuesGiveOneErrorNamingTheOption() {
        String[][] cases = {
            {"--normalize", "zero"},
            {"--normalize", "-2"},
            {"--decoder-bias-init", "median"},
            {"--decoder-bias-init", "middle"},
            {"--k-anneal", "5"},
            {"--k-start", "8"},
            {"--resample-every", "-1"},
            {"--resample-until", "10"},
            {"--l1-warmup", "-3"},
        };
        String[] names = {
            "--normalize",
            "--normalize",
            "--decoder-bias-init",
            "--decoder-bias-init",
            "--k-anneal",
            "--k-start",
            "--resample-every",
            "--resample-until",
            "--l1-warmup"
        };
        for (int i = 0; i < cases.length; i++) {
            List<String> args = new ArrayList<>(List.of("--variant", "vanilla"));
            args.addAll(List.of(cases[i]));
            CliRun run = train(args.toArray(String[]::new));
            assertEquals(2, run.exitCode(), String.join(" ", cases[i]) + ": " + run.out() + run.err());
            assertTrue(run.err().contains(names[i]), String.join(" ", cases[i]) + ": " + run.err());
        }
        CliRun tooLong = train("--variant", "topk", "--k", "4", "--k-anneal", "100000");
        assertEquals(2, tooLong.exitCode(), tooLong.err());
        assertTrue(
                tooLong.err().contains("--k-start/--k-anneal") && tooLong.err().contains("at most the run's"),
                tooLong.err());
    }
}
