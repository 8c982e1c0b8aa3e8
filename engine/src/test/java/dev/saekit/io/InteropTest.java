package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.MpSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TestModels;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Imported SAELens and overcomplete SAEs reproduce the outputs their own tools computed (the
 * golden-io directory named by {@code -Dsaekit.goldenio.dir}, default the repo's copy), and
 * exported ones read back to the same model.
 */
class InteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path goldenIo() {
        return Paths.get(System.getProperty("saekit.goldenio.dir", "src/test/resources/golden-io"));
    }

    private static INDArray tensor(JsonNode t) {
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

    /**
     * The tolerances the reference itself meets on its golden outputs (SEMANTICS.md, "Golden
     * cases"), for the error measured by {@link #relErr}.
     */
    private static final double REFERENCE_FLOAT64 = 1e-12;

    private static final double REFERENCE_FLOAT32 = 2e-5;

    /** {@code max|a - b| / max(max|b|, 1e-3)}: the golden cases' relative error (SEMANTICS.md). */
    private static double relErr(INDArray a, INDArray b) {
        return a.castTo(b.dataType()).sub(b).amaxNumber().doubleValue()
                / Math.max(b.amaxNumber().doubleValue(), 1e-3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"standard", "topk", "jumprelu"})
    void saeLensModelsReproduceTheirExpectedOutputs(String arch) throws IOException {
        Path dir = goldenIo().resolve("sae_lens").resolve(arch);
        JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
        SparseAutoencoder m = SaeLensFormat.read(dir, DType.FLOAT64);
        m.eval();
        SaeOutput out = m.forward(tensor(expected.get("x")));
        assertTrue(relErr(out.preCodes(), tensor(expected.get("pre"))) < REFERENCE_FLOAT64, arch + " pre");
        assertTrue(relErr(out.codes(), tensor(expected.get("codes"))) < REFERENCE_FLOAT64, arch + " codes");
        assertTrue(relErr(out.reconstruction(), tensor(expected.get("x_hat"))) < REFERENCE_FLOAT64, arch + " x_hat");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sae", "topk_sae"})
    void overcompleteStateDictsReproduceTheirExpectedOutputs(String name) throws IOException {
        Path dir = goldenIo().resolve("overcomplete").resolve(name);
        JsonNode expected = JSON.readTree(dir.resolve("expected.json").toFile());
        INDArray x = tensor(expected.get("x"));
        SaeConfig sae = SaeConfig.of((int) x.columns(), (int)
                expected.get("pre_codes").get("shape").get(1).asLong());
        ModelSpec spec = ModelSpec.of(
                sae,
                name.equals("sae")
                        ? new VanillaSpec()
                        : new TopKSpec(expected.get("top_k").asInt()));
        SparseAutoencoder m = OvercompleteFormat.read(dir.resolve("state_dict.safetensors"), spec);
        m.eval();
        SaeOutput out = m.forward(x.castTo(DType.FLOAT32.nd4j()));
        assertTrue(relErr(out.preCodes(), tensor(expected.get("pre_codes"))) < REFERENCE_FLOAT32, name + " pre_codes");
        assertTrue(relErr(out.codes(), tensor(expected.get("codes"))) < REFERENCE_FLOAT32, name + " codes");
        assertTrue(relErr(out.reconstruction(), tensor(expected.get("x_hat"))) < REFERENCE_FLOAT32, name + " x_hat");
    }

    @Test
    void exportedSaeLensModelsReadBackToTheSameOutputs(@TempDir Path tmp) throws IOException {
        SparseAutoencoder m = TestModels.topK(SaeConfig.of(7, 30).withDType(DType.FLOAT32), 4);
        new dev.saekit.train.Trainer(dev.saekit.train.TrainingConfig.builder()
                        .epochs(2)
                        .batchSize(8)
                        .build())
                .fit(
                        m,
                        dev.saekit.data.InMemoryDataset.of(
                                new SeededRandom(2).normal(DType.FLOAT32, 1.0, 40, 7), "random"));
        SaeLensFormat.write(m, tmp.resolve("sae"));
        SparseAutoencoder back = SaeLensFormat.read(tmp.resolve("sae"), DType.FLOAT32);
        INDArray x = new SeededRandom(3).normal(DType.FLOAT32, 1.0, 5, 7);
        m.eval();
        back.eval();
        // the same float32 weights, laid out as SAELens stores them (W_enc transposed): the same sums
        // of 7 inputs, then of the 4 kept codes, maybe in other orders; a pre-code's rounding reaches
        // the reconstruction through the dictionary
        INDArray w = m.encoder().parameters().get(0).value();
        INDArray d = m.getDictionary();
        double pre = 2
                * Tolerance.sum(
                        DType.FLOAT32,
                        Tolerance.productMagnitude(x, w.transpose())
                                + m.encoder()
                                        .parameters()
                                        .get(1)
                                        .value()
                                        .amaxNumber()
                                        .doubleValue(),
                        8);
        INDArray codes = m.forward(x).codes().dup();
        double tolerance = 2 * Tolerance.sum(DType.FLOAT32, Tolerance.productMagnitude(codes, d), 4)
                + pre * Transforms.abs(d, true).sum(0).maxNumber().doubleValue();
        Tolerance.assertClose(
                m.forward(x).reconstruction().dup(),
                back.forward(x).reconstruction().dup(),
                tolerance,
                "the reconstruction after a round trip through SAELens' layout");
        assertEquals(
                "topk",
                JSON.readTree(tmp.resolve("sae").resolve("cfg.json").toFile())
                        .get("architecture")
                        .asText());
    }

    @Test
    void exportedOvercompleteStateDictsReadBack(@TempDir Path tmp) throws IOException {
        SparseAutoencoder m = TestModels.topK(SaeConfig.of(7, 30), 4);
        OvercompleteFormat.write(m, tmp.resolve("sd.safetensors"));
        SparseAutoencoder back = OvercompleteFormat.read(tmp.resolve("sd.safetensors"), m.spec());
        INDArray x = new SeededRandom(3).normal(DType.FLOAT32, 1.0, 5, 7);
        Tolerance.assertIdentical(
                m.forward(x).reconstruction().dup(),
                back.forward(x).reconstruction().dup(),
                "the reconstruction after a round trip through overcomplete's layout");
    }

    @Test
    void variantsWithoutASaeLensArchitectureAreRefused(@TempDir Path tmp) {
        SparseAutoencoder mp =
                ModelSpec.of(SaeConfig.of(7, 30), new MpSpec(2, null)).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeLensFormat.write(mp, tmp));
        assertTrue(e.getMessage().contains("mp"), e.getMessage());
    }

    @Test
    void aSaeLensDirectoryWithAnUnknownArchitectureIsOneClearError(@TempDir Path tmp) throws IOException {
        Files.writeString(tmp.resolve("cfg.json"), "{\"architecture\": \"gated\", \"d_in\": 4, \"d_sae\": 8}");
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> SaeLensFormat.read(tmp, DType.FLOAT32));
        assertTrue(e.getMessage().contains("gated") && e.getMessage().contains("jumprelu"), e.getMessage());
    }
}
