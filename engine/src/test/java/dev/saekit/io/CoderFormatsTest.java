package dev.saekit.io;

import static dev.saekit.io.IoFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.JumpSae;
import dev.saekit.model.OutputGradients;
import dev.saekit.model.Sae;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSae;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Transcoders and crosscoders saved by sparsify, SAELens and dictionary_learning's crosscoder fork
 * (golden-io) reproduce the outputs the libraries computed after reloading them, and saekit's
 * exports of them read back to the same model with the libraries' names, shapes and dtypes.
 *
 * <p>saekit computes in float64 from the float32 weights; the libraries' float32 outputs differ from
 * that by their own float32 rounding: a pre-code sums {@code in} products and a bias
 * ({@link #preTolerance}); an output sums the codes' products with the decoder, the bias and a skip
 * path's {@code in} products, and carries each pre-code's rounding through the decoder's column sums
 * ({@link #outputTolerance}). A crosscoder's normaliser first rounds {@code (x - mean) g} (two
 * roundings at its magnitude) and divides the output by {@code g + 1e-8}, which scales the output's
 * rounding by {@code 1 / g} and adds two roundings at the output's magnitude. Which codes survive is
 * compared exactly: every expected.json keeps its decisions at least 1e-4 from a tie.
 */
class CoderFormatsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static Path dir(String path) {
        return resource("golden-io/" + path);
    }

    private static JsonNode expected(String path) throws IOException {
        return JSON.readTree(dir(path).resolve("expected.json").toFile());
    }

    private static INDArray weight(SparseAutoencoder m, String name) {
        return m.parameter(name).orElseThrow().value();
    }

    /** A library's tensor as saekit's rows: {@code [n, L, d]} becomes {@code [n, L*d]}. */
    private static INDArray rows(JsonNode t) {
        INDArray a = LibraryFormatsTest.tensor(t);
        return a.rank() == 3 ? a.reshape(a.size(0), a.size(1) * a.size(2)) : a;
    }

    /** The input the encoder reads: {@code x}, or {@code (x - mean) g} magnitudes for a normalised crosscoder. */
    private static INDArray encoderInputMagnitude(SparseAutoencoder m, INDArray x) {
        INDArray abs = Transforms.abs(x, true);
        if (m.activationNormalizer() == null) {
            return abs;
        }
        List<Parameter> n = m.activationNormalizer().parameters();
        INDArray g = n.get(2).value();
        long block = m.inputDim() / g.length();
        INDArray scale = abs.dup();
        for (int c = 0; c < m.inputDim(); c++) {
            scale.getColumn(c).assign(g.getDouble(c / block));
        }
        return abs.addRowVector(Transforms.abs(n.get(0).value(), true)).muli(scale);
    }

    private static double preTolerance(SparseAutoencoder m, INDArray x) {
        INDArray in = encoderInputMagnitude(m, x);
        double magnitude = Tolerance.productMagnitude(in, weight(m, "W_enc"))
                + weight(m, "b_enc").amaxNumber().doubleValue();
        return Tolerance.sum(DType.FLOAT32, magnitude, m.inputDim() + 3);
    }

    private static double outputTolerance(SparseAutoencoder m, INDArray x, INDArray codes, INDArray out, double pre) {
        INDArray d = weight(m, "W_dec");
        double magnitude = Tolerance.productMagnitude(codes, d)
                + weight(m, "b_dec").amaxNumber().doubleValue()
                + (m.skip() == null
                        ? 0
                        : Tolerance.productMagnitude(x, m.skip().value().transpose()));
        double t = Tolerance.sum(DType.FLOAT32, magnitude, m.nbConcepts() + m.inputDim() + 3)
                + pre * Transforms.abs(d, true).sum(0).maxNumber().doubleValue();
        if (m.activationNormalizer() != null) {
            double g = m.activationNormalizer()
                    .parameters()
                    .get(2)
                    .value()
                    .minNumber()
                    .doubleValue();
            t = t / g + Tolerance.of(DType.FLOAT32, out.amaxNumber().doubleValue(), 2);
        }
        return t;
    }

    private static void assertSameSupport(INDArray expected, INDArray actual, String what) {
        Tolerance.assertIdentical(
                expected.neq(0).castTo(DataType.DOUBLE), actual.neq(0).castTo(DataType.DOUBLE), what + ": kept codes");
    }

    /** The forward in {@code training} or eval mode against the library's {@code pre} (may be null), {@code codes} and {@code out}. */
    private static SaeOutput check(
            SparseAutoencoder m,
            JsonNode e,
            boolean training,
            String pre,
            boolean preIsRelu,
            String codes,
            String out) {
        INDArray x = rows(e.get("x"));
        if (training) {
            m.train();
        } else {
            m.eval();
        }
        SaeOutput o = m.forward(x).detach();
        String what = m.coder().kind() + " " + m.spec().variant().name();
        double tPre = preTolerance(m, x);
        if (pre != null) {
            INDArray p = preIsRelu ? Transforms.relu(o.preCodes(), true) : o.preCodes();
            Tolerance.assertClose(rows(e.get(pre)), p, tPre, what + " " + pre);
        }
        INDArray expectedCodes = rows(e.get(codes));
        assertSameSupport(expectedCodes, o.codes(), what);
        Tolerance.assertClose(expectedCodes, o.codes(), tPre, what + " " + codes);
        INDArray expectedOut = rows(e.get(out));
        Tolerance.assertClose(
                expectedOut, o.reconstruction(), outputTolerance(m, x, o.codes(), expectedOut, tPre), what + " " + out);
        return o;
    }

    @Test
    void sparsifySkipTranscoderReproducesSparsify() throws IOException {
        SparseAutoencoder m = SparsifyFormat.read(dir("sparsify/skip_transcoder"), DType.FLOAT64);
        JsonNode e = expected("sparsify/skip_transcoder");
        assertInstanceOf(TopKSae.class, m);
        assertEquals(new CoderSpec.Transcoder(m.inputDim(), true), m.coder());
        assertEquals(e.get("k").asInt(), ((TopKSae) m).k());
        check(m, e, false, "pre_acts", true, "codes", "sae_out");
        // decode() has no skip path: sparsify's `decoded`
        INDArray x = rows(e.get("x"));
        m.eval();
        INDArray decoded = m.decode(m.encode(x).codes());
        Tolerance.assertClose(
                rows(e.get("decoded")),
                decoded,
                outputTolerance(m, x, m.encode(x).codes(), decoded, preTolerance(m, x)),
                "decoded");
    }

    @ParameterizedTest
    @CsvSource({"transcoder, false", "skip_transcoder, true", "jumprelu_transcoder, false"})
    void saeLensTranscodersReproduceSaeLens(String arch, boolean skip) throws IOException {
        String path = "sae_lens_more/" + arch;
        JsonNode e = expected(path);
        SparseAutoencoder m = SaeLensFormat.read(dir(path), DType.FLOAT64);
        assertEquals(new CoderSpec.Transcoder(e.get("d_out").asInt(), skip), m.coder());
        assertEquals(arch.startsWith("jumprelu") ? JumpSae.class : Sae.class, m.getClass());
        check(m, e, false, "hidden_pre", false, "feature_acts", "sae_out");
    }

    @Test
    void vanillaCrosscoderReproducesTheFork() throws IOException {
        JsonNode e = expected("dictionary_learning/crosscoder");
        SparseAutoencoder m = DictionaryLearningFormat.read(dir("dictionary_learning/crosscoder"), DType.FLOAT64);
        assertInstanceOf(Sae.class, m);
        assertEquals(new CoderSpec.Crosscoder(e.get("num_layers").asInt(), CodeNormalization.CROSSCODER), m.coder());
        assertNull(m.activationNormalizer(), "NaN mean and std: no normaliser");
        SaeOutput o = check(m, e, false, null, false, "f", "x_hat");
        checkScaled(m, o.codes(), e.get("f_scaled"), preTolerance(m, rows(e.get("x"))));
    }

    @Test
    void batchTopKCrosscoderWithItsNormaliserReproducesTheForkInBothModes() throws IOException {
        String path = "dictionary_learning/batch_topk_crosscoder";
        JsonNode e = expected(path);
        SparseAutoencoder m = DictionaryLearningFormat.read(dir(path), DType.FLOAT64);
        BatchTopKSae b = assertInstanceOf(BatchTopKSae.class, m);
        assertEquals(
                new CoderSpec.Crosscoder(e.get("num_layers").asInt(), CodeNormalization.CROSSCODER, true), m.coder());
        assertEquals(new BatchTopKSae.BatchK.PerSample(e.get("k").asInt()), b.k());
        // compared strictly with the scaled codes: the next double above the fork's float32 threshold
        assertEquals(Math.nextUp(e.get("threshold").asDouble()), b.runningThreshold(), 0.0);
        double tPre = preTolerance(m, rows(e.get("x")));
        SaeOutput o = check(m, e, false, "post_relu_f", true, "f", "x_hat");
        checkScaled(m, o.codes(), e.get("f_scaled"), tPre);
        check(m, e, true, null, false, "f_batch_topk", "x_hat_batch_topk");
    }

    /** {@code f * w} with the fork's decoder-norm weights, against its {@code get_activations}. */
    private static void checkScaled(SparseAutoencoder m, INDArray codes, JsonNode expected, double tPre) {
        CoderSpec.Crosscoder c = (CoderSpec.Crosscoder) m.coder();
        INDArray w = c.normalization().weights(m.getDictionary(), c.layers()).w();
        INDArray scaled = codes.mulRowVector(w);
        double t = tPre * w.maxNumber().doubleValue()
                + Tolerance.of(DType.FLOAT32, scaled.amaxNumber().doubleValue(), m.inputDim() + 4);
        Tolerance.assertClose(rows(expected), scaled, t, "f_scaled");
    }

    @Test
    void folding_theNormaliserIntoTheWeightsWouldChangeWhichCodesSurvive() throws IOException {
        // why the normaliser stays the model's own: the fork's layer scales differ, so a folded
        // decoder (D_l / g_l) would weigh each layer's norm differently and select other codes
        String path = "dictionary_learning/batch_topk_crosscoder";
        SparseAutoencoder m = DictionaryLearningFormat.read(dir(path), DType.FLOAT64);
        CoderSpec.Crosscoder c = (CoderSpec.Crosscoder) m.coder();
        INDArray g = m.activationNormalizer().parameters().get(2).value();
        assertTrue(g.getDouble(0) != g.getDouble(1), "the golden crosscoder's layers have different scales");
        INDArray d = m.getDictionary().dup();
        int block = m.inputDim() / c.layers();
        for (int l = 0; l < c.layers(); l++) {
            d.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.interval((long) l * block, (long) (l + 1) * block))
                    .divi(g.getDouble(l));
        }
        INDArray kept = c.normalization().weights(m.getDictionary(), c.layers()).w();
        INDArray folded = c.normalization().weights(d, c.layers()).w();
        m.eval();
        INDArray f = m.forward(rows(expected(path).get("x"))).preCodes();
        double threshold = ((BatchTopKSae) m).runningThreshold();
        INDArray post = Transforms.relu(f, true);
        assertFalse(
                post.mulRowVector(kept)
                        .gte(threshold)
                        .equals(post.mulRowVector(folded).gte(threshold)),
                "folded weights keep other codes");
    }

    @ParameterizedTest
    @CsvSource({
        "sparsify, sparsify/skip_transcoder",
        "saelens, sae_lens_more/transcoder",
        "saelens, sae_lens_more/skip_transcoder",
        "saelens, sae_lens_more/jumprelu_transcoder",
        "dictionary_learning, dictionary_learning/crosscoder",
        "dictionary_learning, dictionary_learning/batch_topk_crosscoder",
    })
    void aRoundTripGivesBackTheSameModelAndTheLibrarysTensors(String format, String path) throws IOException {
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
        // the library's own files and saekit's export hold the same tensors, names and dtypes
        if (format.equals("dictionary_learning")) {
            TorchArchive original = TorchArchive.read(dir(path).resolve("model_final.pt"));
            TorchArchive written = TorchArchive.read(out.resolve("model_final.pt"));
            assertEquals(original.names(), written.names());
            assertEquals(TorchArchive.Root.ORDERED_DICT, written.root());
            assertEquals(original.modules(), written.modules());
            for (String name : original.names()) {
                assertEquals(original.type(name), written.type(name), name);
                Tolerance.assertIdentical(original.read(name, DType.FLOAT64), written.read(name, DType.FLOAT64), name);
            }
            JsonNode trainer =
                    JSON.readTree(out.resolve("config.json").toFile()).get("trainer");
            JsonNode originalTrainer =
                    JSON.readTree(dir(path).resolve("config.json").toFile()).get("trainer");
            for (String key :
                    List.of("dict_class", "trainer_class", "activation_dim", "dict_size", "code_normalization")) {
                assertEquals(originalTrainer.get(key), trainer.get(key), key);
            }
        } else {
            String weights = format.equals("sparsify") ? SparsifyFormat.WEIGHTS : SaeLensFormat.WEIGHTS;
            var a = Safetensors.read(dir(path).resolve(weights));
            var b = Safetensors.read(out.resolve(weights));
            assertEquals(a.keySet(), b.keySet());
            for (String name : a.keySet()) {
                if (!name.equals("threshold")) { // exp(ln(threshold)): see the JumpReLU test
                    Tolerance.assertIdentical(a.get(name), b.get(name), name);
                }
            }
            JsonNode cfgA = JSON.readTree(dir(path).resolve("cfg.json").toFile());
            JsonNode cfgB = JSON.readTree(out.resolve("cfg.json").toFile());
            for (var it = cfgB.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!key.equals("device")) {
                    assertEquals(cfgA.get(key), cfgB.get(key), key);
                }
            }
        }
    }

    @Test
    void aJumpReluTranscodersExportedThresholdsKeepTheSameCodes() throws IOException {
        String path = "sae_lens_more/jumprelu_transcoder";
        SparseAutoencoder m = SaeLensFormat.read(dir(path), DType.FLOAT32);
        SaeLensFormat.write(m, tmp.resolve("x"));
        INDArray original =
                Safetensors.read(dir(path).resolve(SaeLensFormat.WEIGHTS)).get("threshold");
        INDArray written = Safetensors.read(tmp.resolve("x").resolve(SaeLensFormat.WEIGHTS))
                .get("threshold");
        // exp(ln(t)) in float32: within a rounding of each and of the exponential
        Tolerance.assertClose(
                original,
                written,
                Tolerance.of(DType.FLOAT32, original.amaxNumber().doubleValue(), 3),
                "threshold");
        check(
                SaeLensFormat.read(tmp.resolve("x"), DType.FLOAT64),
                expected(path),
                false,
                "hidden_pre",
                false,
                "feature_acts",
                "sae_out");
    }

    @Test
    void aNormalisedCrosscoderComputesButDoesNotTrain() throws IOException {
        SparseAutoencoder m =
                DictionaryLearningFormat.read(dir("dictionary_learning/batch_topk_crosscoder"), DType.FLOAT32);
        assertNotNull(m.activationNormalizer());
        m.train();
        SaeOutput o = m.forward(
                rows(expected("dictionary_learning/batch_topk_crosscoder").get("x"))
                        .castTo(DataType.FLOAT));
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> m.backward(new OutputGradients(o.reconstruction().dup(), null, null)));
        assertTrue(e.getMessage().contains("normaliser"), e.getMessage());
    }

    @Test
    void whatTheFormatsCannotHoldIsOneClearError() throws IOException {
        SparseAutoencoder saeLens = SaeLensFormat.read(dir("sae_lens_more/transcoder"), DType.FLOAT32);
        IllegalArgumentException narrow =
                assertThrows(IllegalArgumentException.class, () -> SparsifyFormat.write(saeLens, tmp.resolve("s")));
        assertTrue(narrow.getMessage().contains("as wide as their input"), narrow.getMessage());
        IllegalArgumentException noTranscoder = assertThrows(
                IllegalArgumentException.class, () -> DictionaryLearningFormat.write(saeLens, tmp.resolve("d")));
        assertTrue(noTranscoder.getMessage().contains("transcoder"), noTranscoder.getMessage());
        SparseAutoencoder cc = DictionaryLearningFormat.read(dir("dictionary_learning/crosscoder"), DType.FLOAT32);
        IllegalArgumentException noCrosscoder =
                assertThrows(IllegalArgumentException.class, () -> SaeLensFormat.write(cc, tmp.resolve("l")));
        assertTrue(noCrosscoder.getMessage().contains("crosscoder"), noCrosscoder.getMessage());
        IllegalArgumentException centred = assertThrows(
                IllegalArgumentException.class,
                () -> DictionaryLearningFormat.write(
                        cc, tmp.resolve("c"), dev.saekit.tensor.Tensors.ones(DType.FLOAT32, cc.inputDim()), 1.0));
        assertTrue(centred.getMessage().contains("--no-center"), centred.getMessage());
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
