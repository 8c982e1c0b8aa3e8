package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.ModelSpec.DictionarySpec;
import dev.saekit.model.ModelSpec.EncoderSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.DeadLatentResampler;
import dev.saekit.train.DecoderBiasInit;
import dev.saekit.train.InputNormalization;
import dev.saekit.train.KAnnealing;
import dev.saekit.train.Losses;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.Resampling;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs with resampling, an estimated normalisation, an L1 warm-up, a median decoder bias and k
 * annealing, resumed from any checkpoint, end in float64 bit for bit where the uninterrupted run ends.
 */
class TrainingFeaturesResumeTest {
    private static final InMemoryDataset DATA = InMemoryDataset.of(
            new SeededRandom(7).normal(DType.FLOAT64, 3.0, 48, 6).addi(1), "random");
    private static final SaeConfig SAE =
            SaeConfig.of(6, 24).withDType(DType.FLOAT64).withSeed(8);

    /** 6 steps per epoch, 3 epochs; resampling after steps 3, 6, 9 and 12; L1 warm-up over 5 steps. */
    private static TrainingConfig vanillaConfig() {
        return TrainingConfig.builder()
                .epochs(3)
                .batchSize(8)
                .optimizer(OptimizerConfig.adam(2e-2))
                .loss(Losses.mseL1(0.05))
                .normalization(InputNormalization.estimated(InputNormalization.Target.UNIT_MEAN_SQUARED_NORM, 30))
                .decoderBiasInit(DecoderBiasInit.GEOMETRIC_MEDIAN)
                .statisticsRows(40)
                .sparsityWarmupSteps(5)
                .resampling(new Resampling(3, 12, 20))
                .seed(4)
                .build();
    }

    private static final ModelSpec VANILLA =
            new ModelSpec(SAE, new VanillaSpec(), new DictionarySpec.Plain(), new EncoderSpec.SaeLens(true));

    @ParameterizedTest(name = "resumed after step {0}")
    @ValueSource(longs = {2, 3, 4, 8, 13})
    void aResampledNormalisedRunResumesBitForBit(long step, @TempDir Path root) throws IOException {
        SparseAutoencoder uninterrupted = VANILLA.build();
        Trainer trainer = new Trainer(
                vanillaConfig(),
                CheckpointListener.builder(root).every(1).keep(30).build());
        trainer.fit(uninterrupted, DATA);
        Checkpoint c = Checkpoints.load(root.resolve(Checkpoints.stepDirName(step)));
        assertTrue(
                c.listenerStates().containsKey(DeadLatentResampler.STATE),
                c.listenerStates().keySet().toString());
        TrainingConfig recorded = c.trainingConfig();
        assertTrue(recorded.normalization().resolved(), "the checkpoint records the estimated factor");
        assertEquals(trainer.config(), recorded);
        c.resume(c.trainer(java.util.List.of()), DATA);
        assertSameWeights(uninterrupted, c.model());
    }

    @Test
    void theResamplingChangesTheRunAndItsCheckpointsAttachTheScale(@TempDir Path root) throws IOException {
        SparseAutoencoder with = VANILLA.build();
        new Trainer(vanillaConfig(), CheckpointListener.builder(root).every(6).build()).fit(with, DATA);
        SparseAutoencoder without = VANILLA.build();
        new Trainer(vanillaConfig().toBuilder().resampling(null).build()).fit(without, DATA);
        boolean differs = with.parameters().stream()
                .anyMatch(p -> Tolerance.maxDifference(
                                p.value(),
                                without.parameter(p.name()).orElseThrow().value())
                        > 0);
        assertTrue(differs, "resampling re-initialised dead latents, or the resume test proves little");
        Checkpoint c = Checkpoints.load(root.resolve(Checkpoints.stepDirName(6)));
        double s = c.trainingConfig().normalization().factor();
        assertEquals(s, c.attachments().get(CheckpointListener.SCALE_ATTACHMENT).getDouble(0));
    }

    @ParameterizedTest(name = "resumed after step {0}")
    @ValueSource(longs = {1, 3, 6, 7})
    void anAnnealedTopKRunResumesBitForBit(long step, @TempDir Path root) throws IOException {
        ModelSpec spec = ModelSpec.of(SAE, new TopKSpec(2));
        TrainingConfig config = TrainingConfig.builder()
                .epochs(2)
                .batchSize(8)
                .optimizer(OptimizerConfig.adam(2e-2))
                .kAnnealing(new KAnnealing(12, 8))
                .normalization(InputNormalization.fixed(0.3))
                .build();
        SparseAutoencoder uninterrupted = spec.build();
        new Trainer(config, CheckpointListener.builder(root).every(1).keep(30).build()).fit(uninterrupted, DATA);
        Checkpoint c = Checkpoints.load(root.resolve(Checkpoints.stepDirName(step)));
        c.resume(c.trainer(java.util.List.of()), DATA);
        assertSameWeights(uninterrupted, c.model());
    }

    @Test
    void theFeaturesRoundTripThroughJsonAndBadValuesNameTheirField() {
        TrainingConfig c = vanillaConfig().toBuilder()
                .kAnnealing(new KAnnealing(30, 100))
                .normalization(
                        new InputNormalization.Estimated(InputNormalization.Target.SQRT_WIDTH_MEAN_NORM, 99, 0.25))
                .build();
        assertEquals(c, TrainingConfigJson.fromJson(TrainingConfigJson.toJson(c)));
        TrainingConfig unresolved = vanillaConfig();
        assertEquals(unresolved, TrainingConfigJson.fromJson(TrainingConfigJson.toJson(unresolved)));
        TrainingConfig plain = TrainingConfig.builder().build();
        ObjectNode json = TrainingConfigJson.toJson(plain);
        assertFalse(json.has("resampling") || json.has("normalization"), "a run without features writes none");
        assertEquals(plain, TrainingConfigJson.fromJson(json));

        ObjectNode bad = TrainingConfigJson.toJson(c);
        ((ObjectNode) bad.get("k_annealing")).put("start", 0);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TrainingConfigJson.fromJson(bad));
        assertTrue(e.getMessage().contains("k_annealing"), e.getMessage());
        ObjectNode badKind = TrainingConfigJson.toJson(c);
        ((ObjectNode) badKind.get("normalization")).put("kind", "rms");
        e = assertThrows(IllegalArgumentException.class, () -> TrainingConfigJson.fromJson(badKind));
        assertTrue(e.getMessage().contains("normalization.kind"), e.getMessage());
    }

    private static void assertSameWeights(SparseAutoencoder expected, SparseAutoencoder actual) {
        for (Parameter p : expected.parameters()) {
            Tolerance.assertIdentical(
                    p.value(), actual.parameter(p.name()).orElseThrow().value(), p.name());
        }
        assertEquals(expected.parameters().size(), actual.parameters().size());
    }
}
