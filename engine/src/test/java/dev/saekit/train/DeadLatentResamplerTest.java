package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.encoder.BiasedLinearEncoder;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.ModelSpec.DictionarySpec;
import dev.saekit.model.ModelSpec.EncoderSpec;
import dev.saekit.model.MpSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.VanillaSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

class DeadLatentResamplerTest {
    private static final SaeConfig CONFIG =
            SaeConfig.of(5, 8).withDType(DType.FLOAT64).withSeed(3);
    private static final InMemoryDataset DATA =
            InMemoryDataset.of(new SeededRandom(4).normal(DType.FLOAT64, 1.0, 50, 5), "random");

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of("standard", ModelSpec.of(CONFIG, new VanillaSpec())),
                Arguments.of(
                        "SAELens",
                        new ModelSpec(
                                CONFIG, new VanillaSpec(), new DictionarySpec.Plain(), new EncoderSpec.SaeLens(true))));
    }

    /**
     * One resampling of latents 2 and 5 after an Adam step: their atoms become unit rows of the
     * (normalised) sample, their encoder rows those times 0.2 times the alive latents' mean encoder norm,
     * their biases and Adam moments 0; every other latent's slices and moments stay as they were.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void deadLatentsMoveToBadlyReconstructedRowsAndTheirAdamStateIsReset(String name, ModelSpec spec) {
        SparseAutoencoder model = spec.build();
        double scale = 1.5;
        TrainingConfig config = TrainingConfig.builder()
                .batchSize(16)
                .normalization(InputNormalization.fixed(scale))
                .resampling(new Resampling(1, 0, 20))
                .build();
        Adam adam = (Adam) config.optimizer().create();
        SeededRandom rng = new SeededRandom(5);
        model.zeroGrad();
        for (Parameter p : model.parameters()) {
            if (p.isTrainable()) {
                p.grad().assign(rng.normal(DType.FLOAT64, 1.0, p.shape()));
            }
        }
        adam.step(model.parameters(), 1e-2);
        Slices slices = Slices.of(model);
        List<INDArray> before = SyntheticData.snapshot(model.parameters());
        INDArray encoderBefore = slices.encoderRows().dup();
        INDArray momentBefore = adam.state(slices.decoder).expAvg().dup();

        DeadLatentResampler resampler = new DeadLatentResampler(config.resampling());
        resampler.onTrainingStart(
                new TrainingContext(model, DATA, config, 4, 4, adam, TrainingProgress.start(), Map.of()));
        int[] dead = {2, 5};
        int[] done = resampler.resample(dead, 1);
        assertArrayEquals(dead, done, "every dead latent had a row to go to");

        INDArray sample = DATA.sample(20, 1L ^ 0x9E3779B97F4A7C15L).mul(scale);
        double aliveNorm = 0;
        for (int j : new int[] {0, 1, 3, 4, 6, 7}) {
            aliveNorm += encoderBefore.getRow(j).norm2Number().doubleValue() / 6;
        }
        for (int j : dead) {
            INDArray atom = slices.decoder.value().getRow(j);
            assertEquals(1.0, atom.norm2Number().doubleValue(), Tolerance.f64(1, 8), "unit atom " + j);
            assertTrue(isUnitRowOf(sample, atom), name + ": atom " + j + " is a normalised sample row");
            Tolerance.assertClose(
                    atom.mul(0.2 * aliveNorm),
                    slices.encoderRows().getRow(j),
                    Tolerance.f64(aliveNorm, 16),
                    "encoder row " + j);
            assertEquals(0.0, slices.bias.value().getDouble(j), "encoder bias " + j);
            for (Parameter p : new Parameter[] {slices.encoder, slices.bias, slices.decoder}) {
                for (INDArray m :
                        new INDArray[] {adam.state(p).expAvg(), adam.state(p).expAvgSq()}) {
                    INDArray slice = p == slices.encoder && slices.byColumn
                            ? m.getColumn(j)
                            : m.rank() == 2 ? m.getRow(j) : m.getScalar(j);
                    assertEquals(0.0, slice.amaxNumber().doubleValue(), p.name() + " moment of latent " + j);
                }
            }
        }
        for (int j : new int[] {0, 1, 3, 4, 6, 7}) {
            Tolerance.assertIdentical(
                    encoderBefore.getRow(j), slices.encoderRows().getRow(j), "encoder row " + j);
            Tolerance.assertIdentical(
                    momentBefore.getRow(j), adam.state(slices.decoder).expAvg().getRow(j), "decoder moment " + j);
        }
        // parameters without latent slices (b_dec, the multiplier) are untouched
        List<Parameter> ps = model.parameters();
        for (int i = 0; i < ps.size(); i++) {
            Parameter p = ps.get(i);
            if (p != slices.encoder && p != slices.bias && p != slices.decoder) {
                Tolerance.assertIdentical(before.get(i), p.value(), p.name());
            }
        }
    }

    @Test
    void drawsFollowTheWeightsAndSkipRowsWithoutError() {
        int[] drawn = DeadLatentResampler.draw(new double[] {0, 2, 0, 0}, 3, new SeededRandom(1));
        assertArrayEquals(new int[] {1}, drawn, "only the row with an error can be drawn");
        // a row of weight 9 among 9 rows of weight 1: drawn first about half of the time (9 / 18)
        double[] w = {1, 1, 1, 1, 9, 1, 1, 1, 1, 1};
        int first = 0;
        int trials = 4000;
        SeededRandom rng = new SeededRandom(2);
        for (int t = 0; t < trials; t++) {
            first += DeadLatentResampler.draw(w, 1, rng)[0] == 4 ? 1 : 0;
        }
        // binomial(4000, 0.5): standard deviation sqrt(4000 / 4) = 31.6; 5 of them
        assertEquals(trials / 2.0, first, 5 * Math.sqrt(trials / 4.0), "draws of the heavy row");
        assertArrayEquals(
                DeadLatentResampler.draw(w, 4, new SeededRandom(7)),
                DeadLatentResampler.draw(w, 4, new SeededRandom(7)),
                "seeded");
    }

    @Test
    void aRunResamplesItsDeadLatentsOnSchedule() {
        SparseAutoencoder model = ModelSpec.of(CONFIG, new VanillaSpec()).build();
        // latent 6 never fires before the first resampling: its bias keeps its pre-codes negative
        Parameter bias = model.parameter("encoder.final_block.0.bias").orElseThrow();
        INDArray b = bias.value().dup();
        b.putScalar(6, -1e3);
        bias.assign(b);
        Recorder recorder = new Recorder();
        new Trainer(
                        TrainingConfig.builder()
                                .epochs(2)
                                .batchSize(10)
                                .optimizer(OptimizerConfig.adam(1e-3))
                                .resampling(new Resampling(4, 6, 50))
                                .build(),
                        recorder)
                .fit(model, DATA);
        assertFalse(recorder.fired6Before, "latent 6 is dead before step 4");
        assertTrue(recorder.fired6After, "latent 6 fires after its resampling at step 4");
        assertTrue(
                bias.value().getDouble(6) > -1,
                "the resampling reset latent 6's bias of -1000 to 0, then Adam moved it");
    }

    @Test
    void layoutsWithoutRowsPerLatentAreRefusedWhenTrainingStarts() {
        TrainingConfig config =
                TrainingConfig.builder().resampling(Resampling.every(10)).build();
        for (SparseAutoencoder m : List.of(
                new ModelSpec(CONFIG, new VanillaSpec(), new DictionarySpec.Standard(), new EncoderSpec.Tied(true))
                        .build(),
                ModelSpec.defaults(CONFIG, MpSpec.KIND).build(),
                ModelSpec.of(CONFIG.withEncoder(EncoderKind.MLP_LN_1), new VanillaSpec())
                        .build())) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> new Trainer(config).fit(m, DATA));
            assertTrue(e.getMessage().contains("needs a linear encoder"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new Resampling(0, 0, 10));
        assertFalse(new Resampling(5, 10, 1).at(15), "no resampling after 'until'");
        assertTrue(new Resampling(5, 0, 1).at(15));
    }

    private static boolean isUnitRowOf(INDArray sample, INDArray atom) {
        for (int i = 0; i < sample.rows(); i++) {
            INDArray row = sample.getRow(i);
            INDArray unit = row.div(row.norm2Number().doubleValue());
            if (Tolerance.maxDifference(unit, atom) <= Tolerance.f64(1, 8)) {
                return true;
            }
        }
        return false;
    }

    /** Whether latent 6 fired in steps 1-4 (before its resampling) and in any step after. */
    private static final class Recorder implements TrainingListener {
        boolean fired6Before;
        boolean fired6After;

        @Override
        public void beforeUpdate(StepState s) {
            boolean fired = s.output().codes().getColumn(6).amaxNumber().doubleValue() > 0;
            if (s.step() <= 4) {
                fired6Before |= fired;
            } else {
                fired6After |= fired;
            }
        }
    }

    /** The latent slices of a model's layout. */
    private record Slices(Parameter encoder, boolean byColumn, Parameter bias, Parameter decoder) {
        static Slices of(SparseAutoencoder m) {
            if (m.encoder() instanceof BiasedLinearEncoder b) {
                return new Slices(
                        b.weight(), true, b.latentBias(), m.parameter("W_dec").orElseThrow());
            }
            return new Slices(
                    m.parameter("encoder.final_block.0.weight").orElseThrow(),
                    false,
                    m.parameter("encoder.final_block.0.bias").orElseThrow(),
                    m.parameter("dictionary._weights").orElseThrow());
        }

        /** The encoder's rows, one per latent. */
        INDArray encoderRows() {
            return byColumn ? encoder.value().transpose() : encoder.value();
        }
    }
}
