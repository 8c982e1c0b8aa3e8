package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Checkpoints;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saekit train --resume}: a run continued from a mid-run checkpoint ends where the uninterrupted run ends. */
class ResumeCommandTest {
    private static final String[] RUN = {
        "train",
        "--dtype",
        "float64",
        "--variant",
        "batchtopk",
        "--k",
        "8",
        "--concepts",
        "32",
        "--epochs",
        "2",
        "--batch-size",
        "1000",
        "--no-progress",
        "--top-concepts",
        "0"
    };

    private static String[] with(String... more) {
        String[] all = java.util.Arrays.copyOf(RUN, RUN.length + more.length);
        System.arraycopy(more, 0, all, RUN.length, more.length);
        return all;
    }

    @Test
    void resumingFromAMidRunCheckpointEndsBitForBitInFloat64(@TempDir Path tmp) throws IOException {
        CliRun whole = CliRun.of(with("--out", tmp.resolve("whole").toString()));
        assertEquals(0, whole.exitCode(), whole.err());
        CliRun saving = CliRun.of(with("--out", tmp.resolve("saving").toString(), "--checkpoint-every", "5"));
        assertEquals(0, saving.exitCode(), saving.err());

        // step 15 of 20: in the middle of the second epoch (10 steps each); the newest 3 are kept
        Path mid = tmp.resolve("saving").resolve("checkpoints").resolve("step-000000015");
        CliRun resumed = CliRun.of(
                "train",
                "--resume",
                mid.toString(),
                "--out",
                tmp.resolve("resumed").toString(),
                "--no-progress");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("resuming at step 15"), resumed.out());

        SparseAutoencoder a =
                Checkpoints.load(tmp.resolve("whole").resolve("model")).model();
        SparseAutoencoder b =
                Checkpoints.load(tmp.resolve("resumed").resolve("model")).model();
        for (Parameter p : a.parameters()) {
            assertArrayEquals(
                    p.value().dup().data().asBytes(),
                    b.parameter(p.name()).orElseThrow().value().dup().data().asBytes(),
                    p.name() + " bit for bit");
        }
    }

    @Test
    void aTopKRunWithAuxKResumesBitForBitInFloat64(@TempDir Path tmp) throws IOException {
        // dead = silent for the last 2 steps: AuxK works from the third step on, and its mask is saved with each
        // checkpoint
        String[] run = {
            "train",
            "--dtype",
            "float64",
            "--variant",
            "topk",
            "--k",
            "2",
            "--concepts",
            "256",
            "--epochs",
            "3",
            "--batch-size",
            "1000",
            "--aux",
            "auxk",
            "--aux-window",
            "2",
            "--no-progress",
            "--top-concepts",
            "0"
        };
        CliRun whole = CliRun.of(concat(run, "--out", tmp.resolve("whole").toString()));
        assertEquals(0, whole.exitCode(), whole.err());
        CliRun saving = CliRun.of(concat(run, "--out", tmp.resolve("saving").toString(), "--checkpoint-every", "5"));
        assertEquals(0, saving.exitCode(), saving.err());
        for (String step : new String[] {"step-000000020", "step-000000025"}) { // the end of epoch 2, mid epoch 3
            Path from = tmp.resolve("saving").resolve("checkpoints").resolve(step);
            Path out = tmp.resolve("resumed-" + step);
            CliRun resumed = CliRun.of("train", "--resume", from.toString(), "--out", out.toString(), "--no-progress");
            assertEquals(0, resumed.exitCode(), resumed.err());
            assertSameBits(tmp.resolve("whole").resolve("model"), out.resolve("model"));
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static void assertSameBits(Path expected, Path actual) throws IOException {
        SparseAutoencoder a = Checkpoints.load(expected).model();
        SparseAutoencoder b = Checkpoints.load(actual).model();
        for (Parameter p : a.parameters()) {
            assertArrayEquals(
                    p.value().dup().data().asBytes(),
                    b.parameter(p.name()).orElseThrow().value().dup().data().asBytes(),
                    p.name() + " bit for bit");
        }
    }

    @Test
    void aRunOnAFileWithItsOwnScaleResumesFromItsRecordedDataProvenance(@TempDir Path tmp) throws IOException {
        String[] data = {
            "--data", "src/main/resources/dev/saekit/samples/data/glove-100d.npy", "--no-center", "--scale", "auto"
        };
        CliRun whole =
                CliRun.of(concat(with(data), "--out", tmp.resolve("whole").toString()));
        assertEquals(0, whole.exitCode(), whole.err());
        CliRun saving =
                CliRun.of(concat(with(data), "--out", tmp.resolve("saving").toString(), "--checkpoint-every", "5"));
        assertEquals(0, saving.exitCode(), saving.err());
        Path mid = tmp.resolve("saving").resolve("checkpoints").resolve("step-000000015");
        com.fasterxml.jackson.databind.JsonNode config =
                ConfigJson.MAPPER.readTree(mid.resolve("config.json").toFile());
        assertEquals(
                "src/main/resources/dev/saekit/samples/data/glove-100d.npy",
                config.path("data").path("location").asText());
        assertEquals(false, config.path("data").path("centred").asBoolean(true));
        assertEquals(5, config.path("cli").path("checkpoint_every").asInt());
        assertEquals(
                "batchtopk", config.path("model").path("variant").path("name").asText());
        assertEquals(
                "sum",
                config.path("training").path("loss").path("kind").asText(),
                "batchtopk trains with AuxK by default");

        CliRun resumed = CliRun.of(
                "train",
                "--resume",
                mid.toString(),
                "--out",
                tmp.resolve("resumed").toString(),
                "--no-progress");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertSameBits(
                tmp.resolve("whole").resolve("model"), tmp.resolve("resumed").resolve("model"));
    }

    @Test
    void aCheckpointOfAnOlderSaekitResumesByReplayingItsCommandLine(@TempDir Path tmp) throws IOException {
        CliRun whole = CliRun.of(with("--out", tmp.resolve("whole").toString()));
        assertEquals(0, whole.exitCode(), whole.err());
        CliRun saving = CliRun.of(with("--out", tmp.resolve("saving").toString(), "--checkpoint-every", "5"));
        assertEquals(0, saving.exitCode(), saving.err());
        // before the training config was data, a checkpoint recorded the command line under training.cli_args, and no
        // cli
        Path mid = tmp.resolve("saving").resolve("checkpoints").resolve("step-000000015");
        com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode)
                ConfigJson.MAPPER.readTree(mid.resolve("config.json").toFile());
        com.fasterxml.jackson.databind.node.ObjectNode old =
                ConfigJson.MAPPER.createObjectNode().put("epochs", 2);
        old.putObject("loss").put("name", "mse");
        old.set("cli_args", config.path("cli").path("args"));
        config.set("training", old);
        config.remove("cli");
        java.nio.file.Files.write(mid.resolve("config.json"), ConfigJson.MAPPER.writeValueAsBytes(config));

        CliRun resumed = CliRun.of(
                "train",
                "--resume",
                mid.toString(),
                "--out",
                tmp.resolve("resumed").toString(),
                "--no-progress");
        assertEquals(0, resumed.exitCode(), resumed.err());
        assertTrue(resumed.out().contains("resuming at step 15"), resumed.out());
        assertSameBits(
                tmp.resolve("whole").resolve("model"), tmp.resolve("resumed").resolve("model"));
    }

    @Test
    void aCheckpointWithoutACommandLineIsOneClearError(@TempDir Path tmp) throws IOException {
        Path lens = tmp.resolve("lens");
        CliRun.of(
                "import",
                "--format",
                "saelens",
                "--from",
                "../engine/src/test/resources/golden-io/sae_lens/topk",
                "--out",
                lens.toString());
        CliRun run = CliRun.of("train", "--resume", lens.toString(), "--no-progress");
        assertEquals(SaekitCli.EXIT_INPUT, run.exitCode());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().contains("--resume") || run.err().contains("no recorded"), run.err());
    }
}
