package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

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
        "sparsify, sparsify/skip_transcoder, topk",
        "saelens, sae_lens_more/skip_transcoder, vanilla",
        "saelens, sae_lens_more/jumprelu_transcoder, jumprelu",
        "dictionary-learning, dictionary_learning/crosscoder, vanilla",
        "dictionary-learning, dictionary_learning/batch_topk_crosscoder, batchtopk",
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

    /**
     * {@code encode} of an imported transcoder and of a normalised BatchTopK crosscoder writes the
     * codes the libraries computed: the same codes kept, and values within float32 rounding of the
     * pre-codes, a sum of {@code in + 3} terms at the magnitude of {@code |x'| |W_enc| + |b_enc|}
     * ({@code x'} the input the encoder reads: a crosscoder's normalised layers, whose own rounding
     * the extra terms cover).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "sparsify, sparsify/skip_transcoder, codes",
        "saelens, sae_lens_more/jumprelu_transcoder, feature_acts",
        "dictionary-learning, dictionary_learning/batch_topk_crosscoder, f",
    })
    void encodeOfAnImportedCoderGivesTheLibrarysCodes(String format, String path, String codesName) throws IOException {
        assertEquals(
                0, importFrom(format, GOLDEN_IO.resolve(path), tmp.resolve("m")).exitCode());
        JsonNode expected = new ObjectMapper()
                .readTree(GOLDEN_IO.resolve(path).resolve("expected.json").toFile());
        INDArray x = jsonTensor(expected.get("x"));
        x = x.reshape(x.size(0), x.length() / x.size(0)).castTo(DataType.FLOAT);
        Path data = tmp.resolve("x.npy");
        Npy.write(data, x);
        Path out = tmp.resolve("codes.npy");
        CliRun enc = CliRun.of(
                "encode",
                "--model",
                tmp.resolve("m").toString(),
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--no-progress");
        assertEquals(0, enc.exitCode(), enc.err());
        INDArray codes = Npy.read(out).castTo(DataType.DOUBLE);
        INDArray want = jsonTensor(expected.get(codesName));
        assertEquals(want.neq(0).castTo(DataType.DOUBLE), codes.neq(0).castTo(DataType.DOUBLE), "the same codes kept");
        SparseAutoencoder m = Checkpoints.load(tmp.resolve("m")).model();
        INDArray in = Transforms.abs(x, true).castTo(DataType.DOUBLE);
        if (m.activationNormalizer() != null) {
            in.addiRowVector(
                    Transforms.abs(m.activationNormalizer().parameters().get(0).value(), true)
                            .castTo(DataType.DOUBLE));
        }
        INDArray wEnc =
                Transforms.abs(m.parameter("W_enc").orElseThrow().value(), true).castTo(DataType.DOUBLE);
        double magnitude = in.mmul(wEnc).maxNumber().doubleValue()
                + m.parameter("b_enc").orElseThrow().value().amaxNumber().doubleValue();
        double tolerance = (m.inputDim() + 3) * Math.ulp(1.0f) * magnitude;
        double diff = Transforms.abs(codes.sub(want), false).maxNumber().doubleValue();
        assertTrue(diff <= tolerance, "codes differ by " + diff + " > " + tolerance);
    }

    private static INDArray jsonTensor(JsonNode t) {
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).asLong();
        }
        double[] v = new double[t.get("data").size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.get("data").get(i).asDouble();
        }
        return org.nd4j.linalg.factory.Nd4j.create(v, shape, DataType.DOUBLE);
    }
}
