package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Checkpoints;
import dev.saekit.io.Npy;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code saekit import} and {@code export} with sparsify, dictionary_learning and SAELens' BatchTopK directories. */
class LibraryFormatsCommandsTest {
    /** The engine's copies of the files the libraries wrote. */
    private static final Path GOLDEN_IO = Path.of("..", "engine", "src", "test", "resources", "golden-io");

    @TempDir
    Path tmp;

    private CliRun importFrom(String format, Path from, Path out) {
        return CliRun.of("import", "--format", format, "--from", from.toString(), "--out", out.toString());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "sparsify, sparsify/topk, topk",
        "dictionary-learning, dictionary_learning/topk, topk",
        "dictionary-learning, dictionary_learning/batch_topk, batchtopk",
        "saelens, sae_lens_more/batchtopk, jumprelu",
        "saelens, sae_lens_more/matryoshka_batchtopk_checkpoint, matryoshka",
    })
    void importExportImportGivesTheSameCodes(String format, String path, String variant) throws IOException {
        CliRun in = importFrom(format, GOLDEN_IO.resolve(path), tmp.resolve("a"));
        assertEquals(0, in.exitCode(), in.err());
        SparseAutoencoder first = Checkpoints.load(tmp.resolve("a")).model();
        assertEquals(variant, first.spec().variant().name());
        CliRun out = CliRun.of(
                "export",
                "--model",
                tmp.resolve("a").toString(),
                "--format",
                format,
                "--out",
                tmp.resolve("x").toString());
        assertEquals(0, out.exitCode(), out.err());
        CliRun again = importFrom(format, tmp.resolve("x"), tmp.resolve("b"));
        assertEquals(0, again.exitCode(), again.err());
        Path data = tmp.resolve("x.npy");
        Npy.write(data, new SeededRandom(3).normal(DType.FLOAT32, 1.0, 20, (int) first.inputDim()));
        INDArray[] codes = new INDArray[2];
        for (int i = 0; i < 2; i++) {
            Path c = tmp.resolve("codes" + i + ".npy");
            CliRun enc = CliRun.of(
                    "encode",
                    "--model",
                    tmp.resolve(i == 0 ? "a" : "b").toString(),
                    "--data",
                    data.toString(),
                    "--out",
                    c.toString(),
                    "--no-progress");
            assertEquals(0, enc.exitCode(), enc.err());
            codes[i] = Npy.read(c);
        }
        // the same float32 weights and threshold, so the same computation: the same codes, bit for bit
        assertEquals(codes[0], codes[1]);
        assertTrue(
                java.util.Arrays.equals(
                        codes[0].data().asFloat(), codes[1].data().asFloat()),
                "bit for bit");
    }

    @Test
    void aWrongFolderOrFormatIsOneClearError() throws IOException {
        CliRun missing = importFrom("sparsify", tmp.resolve("nowhere"), tmp.resolve("a"));
        assertEquals(SaekitCli.EXIT_INPUT, missing.exitCode());
        assertTrue(
                missing.err().contains("does not exist") && missing.err().contains("sae.safetensors"), missing.err());
        CliRun wrongFormat = importFrom("dictionary-learning", GOLDEN_IO.resolve("sparsify/topk"), tmp.resolve("a"));
        assertEquals(SaekitCli.EXIT_INPUT, wrongFormat.exitCode());
        assertTrue(
                wrongFormat.err().contains("has no config.json")
                        && wrongFormat.err().contains("--format"),
                wrongFormat.err());
        Path half = Files.createDirectories(tmp.resolve("half"));
        Files.copy(GOLDEN_IO.resolve("dictionary_learning/topk/config.json"), half.resolve("config.json"));
        CliRun noWeights = importFrom("dictionary-learning", half, tmp.resolve("a"));
        assertTrue(noWeights.err().contains("has no ae.pt"), noWeights.err());
        assertEquals(1, noWeights.errLines().size(), noWeights.err());
        CliRun unknown = importFrom("pickle", half, tmp.resolve("a"));
        assertEquals(SaekitCli.EXIT_USAGE, unknown.exitCode());
        assertTrue(unknown.err().contains("sparsify, dictionary-learning"), unknown.err());
    }

    @Test
    void anUnknownArchitectureOrAVariantTheFormatLacksIsOneClearError() throws IOException {
        CliRun crosscoder = importFrom(
                "dictionary-learning", GOLDEN_IO.resolve("dictionary_learning/crosscoder"), tmp.resolve("a"));
        // the fork saves model_final.pt, not ae.pt: the files are checked first
        assertTrue(crosscoder.err().contains("ae.pt"), crosscoder.err());
        Path gated = Files.createDirectories(tmp.resolve("gated"));
        Files.writeString(gated.resolve("config.json"), "{\"trainer\": {\"dict_class\": \"GatedAutoEncoder\"}}");
        Files.write(gated.resolve("ae.pt"), new byte[0]);
        CliRun unknown = importFrom("dictionary-learning", gated, tmp.resolve("a"));
        assertEquals(SaekitCli.EXIT_INPUT, unknown.exitCode());
        assertTrue(unknown.err().contains("GatedAutoEncoder") && unknown.err().contains("BatchTopKSAE"), unknown.err());
        assertEquals(
                0,
                importFrom("saelens", GOLDEN_IO.resolve("sae_lens_more/batchtopk"), tmp.resolve("j"))
                        .exitCode());
        CliRun jump = CliRun.of(
                "export",
                "--model",
                tmp.resolve("j").toString(),
                "--format",
                "sparsify",
                "--out",
                tmp.resolve("s").toString());
        assertEquals(SaekitCli.EXIT_INPUT, jump.exitCode());
        assertTrue(jump.err().contains("jumprelu") && jump.err().contains("topk"), jump.err());
        assertTrue(!Files.exists(tmp.resolve("s").resolve("sae.safetensors")), "nothing written");
    }
}
