package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.JumpReluSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.ModelSpec.DictionarySpec;
import dev.saekit.model.ModelSpec.EncoderSpec;
import dev.saekit.model.MpSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Folding an input scale: on raw rows the folded model gives the codes of the trained model on scaled rows. */
class ScaleFoldingTest {
    private static final double S = 3.7; // not a power of two: folding rounds
    private static final SaeConfig BASE =
            SaeConfig.of(6, 10).withDType(DType.FLOAT64).withSeed(11);

    static Stream<Arguments> layouts() {
        DictionarySpec std = new DictionarySpec.Standard();
        return Stream.of(
                Arguments.of("vanilla, linear encoder, l2 dictionary", ModelSpec.of(BASE, new VanillaSpec())),
                Arguments.of(
                        "vanilla with a learned multiplier",
                        ModelSpec.of(
                                BASE.withDictionary(new DictionaryConfig(Normalization.L2, true)), new VanillaSpec())),
                Arguments.of(
                        "topk, unnormalised dictionary",
                        ModelSpec.of(
                                BASE.withDictionary(new DictionaryConfig(Normalization.IDENTITY, false)),
                                new TopKSpec(3))),
                Arguments.of("jumprelu", ModelSpec.defaults(BASE, JumpReluSpec.KIND)),
                Arguments.of(
                        "mlp_ln_3 encoder", ModelSpec.of(BASE.withEncoder(EncoderKind.MLP_LN_3), new VanillaSpec())),
                Arguments.of("untied encoder", new ModelSpec(BASE, new TopKSpec(3), std, new EncoderSpec.Untied(true))),
                Arguments.of(
                        "SAELens layout",
                        new ModelSpec(
                                BASE, new VanillaSpec(), new DictionarySpec.Plain(), new EncoderSpec.SaeLens(true))),
                Arguments.of(
                        "SAELens layout, b_dec not subtracted",
                        new ModelSpec(
                                BASE, new TopKSpec(3), new DictionarySpec.Plain(), new EncoderSpec.SaeLens(false))),
                Arguments.of(
                        "skip transcoder", ModelSpec.coder(BASE, new TopKSpec(3), new CoderSpec.Transcoder(4, true))),
                Arguments.of(
                        "BatchTopK crosscoder (its threshold weighs codes by decoder norms)",
                        ModelSpec.coder(BASE, BatchTopKSpec.perSample(3), CoderSpec.Crosscoder.of(2))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void theFoldedModelTakesRawRows(String name, ModelSpec spec) {
        SparseAutoencoder trained = spec.build();
        perturb(trained); // non-zero biases, so that folding the decoder bias is tested too
        INDArray x = new SeededRandom(2).normal(DType.FLOAT64, 1.0, 9, 6);
        if (trained instanceof BatchTopKSae) {
            trained.train().forward(x.mul(S)); // a running threshold for evaluation, on the scaled rows
        }
        SparseAutoencoder folded = copy(trained);
        ScaleFolding.fold(folded, S);
        trained.eval();
        folded.eval();
        SaeOutput onScaled = trained.forward(x.mul(S)).detach();
        SaeOutput onRaw = folded.forward(x).detach();
        // pre-codes are sums of 6 products of |s x| and the weights, plus a bias: a few roundings each side
        double magnitude = Transforms.abs(x.mul(S)).sum(1).maxNumber().doubleValue() * weightScale(trained);
        double tol = Tolerance.sum(DType.FLOAT64, magnitude, 8) * 4;
        Tolerance.assertClose(onScaled.codes(), onRaw.codes(), tol, name + ": codes");
        Tolerance.assertClose(
                onScaled.reconstruction().div(S),
                onRaw.reconstruction(),
                tol * weightScale(trained) * 10,
                name + ": the reconstruction is raw-scale");
        assertTrue(onScaled.codes().amaxNumber().doubleValue() > 0, "some codes fire, or the test proves little");
    }

    @Test
    void aNormalisedDictionaryKeepsUnitRowsAndTakesTheScaleInItsMultiplier() {
        SparseAutoencoder folded = ModelSpec.of(BASE, new VanillaSpec()).build();
        ScaleFolding.fold(folded, S);
        assertEquals(
                -Math.log(S),
                folded.parameter("dictionary.multiplier").orElseThrow().value().getDouble(0),
                Tolerance.f64(Math.log(S), 1));
        INDArray w = folded.parameter("dictionary._weights").orElseThrow().value();
        folded.eval();
        Tolerance.assertClose(
                w.norm2(1).muli(1 / S), folded.getDictionary().norm2(1), Tolerance.f64(1 / S, 8), "rows of norm 1/s");
    }

    @Test
    void tiedEncodersAndPursuitsAreRefused() {
        SparseAutoencoder tied = new ModelSpec(
                        BASE, new VanillaSpec(), new DictionarySpec.Standard(), new EncoderSpec.Tied(true))
                .build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScaleFolding.fold(tied, S));
        assertTrue(e.getMessage().contains("tied encoder"), e.getMessage());
        SparseAutoencoder mp = ModelSpec.defaults(BASE, MpSpec.KIND).build();
        e = assertThrows(IllegalArgumentException.class, () -> ScaleFolding.fold(mp, S));
        assertTrue(e.getMessage().contains("pursuit"), e.getMessage());
    }

    @Test
    void aRunWithAFixedFactorTrainsAsOneOnPreScaledRows() {
        INDArray x = new SeededRandom(6).normal(DType.FLOAT64, 1.0, 40, 6);
        TrainingConfig.Builder b =
                TrainingConfig.builder().epochs(2).batchSize(8).loss(Losses.mseL1(1e-3));
        SparseAutoencoder normalised = ModelSpec.of(BASE, new VanillaSpec()).build();
        new Trainer(b.normalization(InputNormalization.fixed(S)).build()).fit(normalised, InMemoryDataset.of(x, "raw"));
        SparseAutoencoder onScaled = ModelSpec.of(BASE, new VanillaSpec()).build();
        new Trainer(b.normalization(InputNormalization.none()).build())
                .fit(onScaled, InMemoryDataset.of(x.mul(S), "scaled"));
        for (Parameter p : onScaled.parameters()) {
            Tolerance.assertIdentical(
                    p.value(), normalised.parameter(p.name()).orElseThrow().value(), p.name());
        }
    }

    @Test
    void anEstimateIsResolvedWhenTheRunStartsAndRecordedInItsConfig() {
        // rows (3, 4) and (0, 0): norms 5 and 0; mean squared norm 12.5, mean norm 2.5, width 2
        INDArray x = Nd4j.createFromArray(new double[][] {{3, 4}, {0, 0}});
        assertEquals(1 / Math.sqrt(12.5), InputNormalization.Target.UNIT_MEAN_SQUARED_NORM.factor(x), 1e-16);
        assertEquals(Math.sqrt(2) / 2.5, InputNormalization.Target.SQRT_WIDTH_MEAN_NORM.factor(x), 1e-15);

        INDArray data = new SeededRandom(8).normal(DType.FLOAT64, 2.0, 30, 6);
        Trainer trainer = new Trainer(TrainingConfig.builder()
                .epochs(1)
                .batchSize(10)
                .normalization(InputNormalization.estimated(InputNormalization.Target.UNIT_MEAN_SQUARED_NORM, 100))
                .build());
        trainer.fit(ModelSpec.of(BASE, new VanillaSpec()).build(), InMemoryDataset.of(data, "d"));
        double s = trainer.config().normalization().factor(); // the sample of 100 is every row
        INDArray scaledNorms = data.mul(s).norm2(1);
        assertEquals(1.0, scaledNorms.mul(scaledNorms).meanNumber().doubleValue(), Tolerance.f64(1, 40));
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> InputNormalization.estimated(InputNormalization.Target.UNIT_MEAN_SQUARED_NORM, 10)
                        .factor());
        assertTrue(e.getMessage().contains("resolve"), e.getMessage());
    }

    @Test
    void aRunThatCannotFoldItsNormalisationIsRefusedBeforeItStarts() {
        SparseAutoencoder tied = new ModelSpec(
                        BASE, new VanillaSpec(), new DictionarySpec.Standard(), new EncoderSpec.Tied(false))
                .build();
        Trainer trainer = new Trainer(TrainingConfig.builder()
                .normalization(InputNormalization.fixed(2))
                .build());
        InMemoryDataset data = InMemoryDataset.of(Nd4j.rand(DType.FLOAT64.nd4j(), 4, 6), "d");
        assertThrows(IllegalArgumentException.class, () -> trainer.fit(tied, data));
    }

    /** Largest absolute parameter value (at least 1). */
    private static double weightScale(SparseAutoencoder m) {
        double max = 1;
        for (Parameter p : m.parameters()) {
            if (p.value().length() > 0) {
                max = Math.max(max, Math.abs(p.value().amaxNumber().doubleValue()));
            }
        }
        return max;
    }

    private static void perturb(SparseAutoencoder m) {
        SeededRandom rng = new SeededRandom(9);
        for (Parameter p : m.parameters()) {
            if (p.isTrainable() && p.value().rank() == 1) {
                p.assign(rng.normal(m.dtype(), 0.1, p.value().length()));
            }
        }
    }

    private static SparseAutoencoder copy(SparseAutoencoder m) {
        SparseAutoencoder c = m.spec().build();
        List<Parameter> ps = m.parameters();
        for (Parameter p : ps) {
            c.parameter(p.name()).orElseThrow().assign(p.value());
        }
        return c;
    }
}
