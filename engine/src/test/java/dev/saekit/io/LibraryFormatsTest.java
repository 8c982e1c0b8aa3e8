package dev.saekit.io;

import static dev.saekit.io.IoFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.JumpSae;
import dev.saekit.model.PrefixMatryoshkaSae;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSae;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * sparsify, dictionary_learning and SAELens (BatchTopK, Matryoshka BatchTopK) SAEs saved by the
 * libraries themselves (golden-io) reproduce the outputs the libraries computed after reloading
 * them, and saekit's exports of them read back to the same model.
 *
 * <p>saekit computes in float64 from the float32 weights, so its result is the exact value to
 * float64 rounding, and the libraries' float32 outputs differ from it by their own float32 rounding:
 * a pre-code is a sum of {@code d_in} products plus a bias and the subtraction of {@code b_dec}
 * ({@link #preTolerance}); a reconstruction sums the codes' products with the decoder and carries
 * each pre-code's rounding through the decoder's column sums ({@link #reconstructionTolerance}).
 * Which codes survive is compared exactly: every expected.json keeps its decisions at least 1e-4
 * from a tie, far beyond these roundings.
 */
class LibraryFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Path dir(String path) {
        return resource("golden-io/" + path);
    }

    private static JsonNode expected(String path) throws IOException {
        return JSON.readTree(dir(path).resolve("expected.json").toFile());
    }

    static INDArray tensor(JsonNode t) {
        long[] shape = new long[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).asLong();
        }
        double[] v = new double[t.get("data").size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.get("data").get(i).asDouble();
        }
        return Tensors.fromFlat(DType.FLOAT64, v, shape);
    }

    private static INDArray weight(SparseAutoencoder m, String name) {
        return m.parameter(name).orElseThrow().value();
    }

    /** float32 roundings of {@code pre = (x - b_dec) W_enc + b_enc} (and a rescale): d_in + 3 at the sums' magnitude. */
    private static double preTolerance(SparseAutoencoder m, INDArray x) {
        INDArray shifted = Transforms.abs(x, true).addRowVector(Transforms.abs(weight(m, "b_dec"), true));
        double magnitude = Tolerance.productMagnitude(shifted, weight(m, "W_enc"))
                + weight(m, "b_enc").amaxNumber().doubleValue();
        return Tolerance.sum(DType.FLOAT32, magnitude, m.inputDim() + 3);
    }

    /** float32 roundings of {@code z W_dec + b_dec}, plus the pre-codes' rounding carried through W_dec. */
    private static double reconstructionTolerance(SparseAutoencoder m, INDArray codes, double pre) {
        INDArray d = weight(m, "W_dec");
        double magnitude = Tolerance.productMagnitude(codes, d)
                + weight(m, "b_dec").amaxNumber().doubleValue();
        return Tolerance.sum(DType.FLOAT32, magnitude, m.nbConcepts() + 2)
                + pre * Transforms.abs(d, true).sum(0).maxNumber().doubleValue();
    }

    private static void assertSameSupport(INDArray expected, INDArray actual, String what) {
        INDArray e = expected.neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        INDArray a = actual.neq(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
        Tolerance.assertIdentical(e, a, what + ": which codes are kept");
    }

    /** The model's forward (eval or training) against the library's outputs named {@code pre}, {@code codes}, {@code xHat}. */
    private static void check(
            SparseAutoencoder m,
            JsonNode expected,
            boolean training,
            String pre,
            boolean preIsRelu,
            String codes,
            String xHat,
            String what) {
        INDArray x = tensor(expected.get("x"));
        if (training) {
            m.train();
        } else {
            m.eval();
        }
        SaeOutput out = m.forward(x);
        double tPre = preTolerance(m, x);
        INDArray preCodes = preIsRelu ? Transforms.relu(out.preCodes(), true) : out.preCodes();
        if (pre != null) {
            Tolerance.assertClose(tensor(expected.get(pre)), preCodes, tPre, what + " " + pre);
        }
        INDArray expectedCodes = tensor(expected.get(codes));
        assertSameSupport(expectedCodes, out.codes(), what);
        Tolerance.assertClose(expectedCodes, out.codes(), tPre, what + " " + codes);
        Tolerance.assertClose(
                tensor(expected.get(xHat)),
                out.reconstruction(),
                reconstructionTolerance(m, out.codes(), tPre),
                what + " " + xHat);
    }

    @Test
    void sparsifyTopKReproducesSparsify() throws IOException {
        SparseAutoencoder m = SparsifyFormat.read(dir("sparsify/topk"), DType.FLOAT64);
        assertInstanceOf(TopKSae.class, m);
        JsonNode e = expected("sparsify/topk");
        assertEquals(e.get("k").asInt(), ((TopKSae) m).k());
        check(m, e, false, "pre_acts", true, "codes", "sae_out", "sparsify topk");
    }

    @Test
    void dictionaryLearningTopKReproducesAutoEncoderTopK() throws IOException {
        SparseAutoencoder m = DictionaryLearningFormat.read(dir("dictionary_learning/topk"), DType.FLOAT64);
        assertInstanceOf(TopKSae.class, m);
        check(m, expected("dictionary_learning/topk"), false, "post_relu", true, "codes", "x_hat", "AutoEncoderTopK");
    }

    @Test
    void dictionaryLearningBatchTopKReproducesBatchTopKSaeInBothModes() throws IOException {
        JsonNode e = expected("dictionary_learning/batch_topk");
        SparseAutoencoder m = DictionaryLearningFormat.read(dir("dictionary_learning/batch_topk"), DType.FLOAT64);
        assertInstanceOf(BatchTopKSae.class, m);
        // the saved threshold, compared strictly: saekit's running threshold is the next double above it
        assertEquals(Math.nextUp(e.get("threshold").asDouble()), ((BatchTopKSae) m).runningThreshold(), 0.0);
        check(m, e, false, "post_relu", true, "codes", "x_hat", "BatchTopKSAE (threshold)");
        check(m, e, true, null, true, "codes_batch_topk", "x_hat_batch_topk", "BatchTopKSAE (batch top-k)");
    }

    @ParameterizedTest
    @CsvSource({"batchtopk", "matryoshka_batchtopk"})
    void saeLensBatchTopKSavedAsJumpReluReproducesSaeLens(String name) throws IOException {
        SparseAutoencoder m = SaeLensFormat.read(dir("sae_lens_more/" + name), DType.FLOAT64);
        assertInstanceOf(JumpSae.class, m);
        check(m, expected("sae_lens_more/" + name), false, "hidden_pre", false, "feature_acts", "sae_out", name);
    }

    @Test
    void saeLensMatryoshkaTrainingCheckpointReproducesSaeLens() throws IOException {
        Path d = dir("sae_lens_more/matryoshka_batchtopk_checkpoint");
        SparseAutoencoder m = SaeLensFormat.read(d, DType.FLOAT64);
        PrefixMatryoshkaSae p = assertInstanceOf(PrefixMatryoshkaSae.class, m);
        assertEquals("[8, 24, 48]", Arrays.toString(p.prefixes()));
        // SAELens' encode is batch top-k over the 12 rows: saekit's training-mode forward
        check(
                m,
                expected("sae_lens_more/matryoshka_batchtopk_checkpoint"),
                true,
                "hidden_pre",
                false,
                "feature_acts",
                "sae_out",
                "matryoshka checkpoint");
    }

    @Test
    void theCheckpointsThresholdServesAsTheInferenceModelsThreshold() throws IOException {
        // the same trained model saved both ways: saekit's eval of the checkpoint keeps what SAELens' JumpReLU keeps
        SparseAutoencoder m = SaeLensFormat.read(dir("sae_lens_more/matryoshka_batchtopk_checkpoint"), DType.FLOAT32);
        JsonNode inference = expected("sae_lens_more/matryoshka_batchtopk");
        m.eval();
        SaeOutput out = m.forward(tensor(inference.get("x")).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
        assertSameSupport(tensor(inference.get("feature_acts")), out.codes(), "checkpoint in eval vs inference model");
    }

    @ParameterizedTest
    @CsvSource({
        "sparsify, sparsify/topk",
        "dictionary_learning, dictionary_learning/topk",
        "dictionary_learning, dictionary_learning/batch_topk",
        "saelens, sae_lens_more/matryoshka_batchtopk_checkpoint",
    })
    void aRoundTripGivesBackTheSameModel(String format, String path) throws IOException {
        SparseAutoencoder first = read(format, dir(path));
        Path out = tmp.resolve("export");
        write(format, first, out);
        SparseAutoencoder second = read(format, out);
        assertEquals(first.spec(), second.spec());
        for (Parameter p : first.parameters()) {
            Tolerance.assertIdentical(
                    p.value(), second.parameter(p.name()).orElseThrow().value(), path + " " + p.name());
        }
        write(format, second, tmp.resolve("again"));
        try (var files = Files.list(out)) {
            for (Path f : files.toList()) {
                assertEquals(
                        -1L, Files.mismatch(f, tmp.resolve("again").resolve(f.getFileName())), "the same bytes: " + f);
            }
        }
    }

    @Test
    void exportsKeepEachLibrarysNamesShapesAndOrientation() throws IOException {
        SparseAutoencoder m = DictionaryLearningFormat.read(dir("dictionary_learning/batch_topk"), DType.FLOAT32);
        DictionaryLearningFormat.write(m, tmp.resolve("dl"));
        TorchArchive original =
                TorchArchive.read(dir("dictionary_learning/batch_topk").resolve("ae.pt"));
        TorchArchive written = TorchArchive.read(tmp.resolve("dl").resolve("ae.pt"));
        assertEquals(original.names(), written.names());
        assertEquals(TorchArchive.Root.DICT, written.root());
        for (String name : original.names()) {
            assertEquals(original.type(name), written.type(name), name);
            Tolerance.assertIdentical(original.read(name, DType.FLOAT32), written.read(name, DType.FLOAT32), name);
        }
        JsonNode trainer =
                JSON.readTree(tmp.resolve("dl").resolve("config.json").toFile()).get("trainer");
        assertEquals("BatchTopKSAE", trainer.get("dict_class").asText());
        SparseAutoencoder s = SparsifyFormat.read(dir("sparsify/topk"), DType.FLOAT32);
        SparsifyFormat.write(s, tmp.resolve("sp"));
        var a = Safetensors.read(dir("sparsify/topk").resolve("sae.safetensors"));
        var b = Safetensors.read(tmp.resolve("sp").resolve("sae.safetensors"));
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
            Tolerance.assertIdentical(a.get(name), b.get(name), name);
        }
        assertEquals(
                JSON.readTree(dir("sparsify/topk").resolve("cfg.json").toFile()),
                JSON.readTree(tmp.resolve("sp").resolve("cfg.json").toFile()));
    }

    @Test
    void whatSaekitCannotReadIsOneClearError() throws IOException {
        Path gated = Files.createDirectories(tmp.resolve("gated"));
        Files.writeString(gated.resolve("config.json"), "{\"trainer\": {\"dict_class\": \"GatedAutoEncoder\"}}");
        MalformedFileException unknown =
                assertThrows(MalformedFileException.class, () -> DictionaryLearningFormat.read(gated, DType.FLOAT32));
        assertTrue(
                unknown.getMessage().contains("GatedAutoEncoder")
                        && unknown.getMessage().contains("BatchTopKCrossCoder"),
                unknown.getMessage());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IOException missing =
                assertThrows(IOException.class, () -> DictionaryLearningFormat.read(empty, DType.FLOAT32));
        assertTrue(missing.getMessage().contains("config.json"), missing.getMessage());
    }

    private static SparseAutoencoder read(String format, Path dir) throws IOException {
        return switch (format) {
            case "sparsify" -> SparsifyFormat.read(dir, DType.FLOAT32);
            case "dictionary_learning" -> DictionaryLearningFormat.read(dir, DType.FLOAT32);
            default -> SaeLensFormat.read(dir, DType.FLOAT32);
        };
    }

    private static void write(String format, SparseAutoencoder m, Path dir) throws IOException {
        switch (format) {
            case "sparsify" -> SparsifyFormat.write(m, dir);
            case "dictionary_learning" -> DictionaryLearningFormat.write(m, dir);
            default -> SaeLensFormat.write(m, dir);
        }
    }
}
