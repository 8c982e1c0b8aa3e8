package dev.saekit.train.listeners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.Sae;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.TestModels;
import dev.saekit.tensor.DType;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.LossSpec;
import dev.saekit.train.Losses;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.StepState;
import dev.saekit.train.SyntheticData;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.TrainingResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A run made to diverge stops with advice and keeps the weights of its last good step. */
class DivergenceCheckTest {
    private static final InMemoryDataset DATA = SyntheticData.sparseDictionary(64, 8, 4, 2, DType.FLOAT32, 5);

    /** Keeps a copy of the weights after every applied step. */
    private static final class LastGoodWeights implements TrainingListener {
        private final Sae model;
        private List<INDArray> copy;

        LastGoodWeights(Sae model) {
            this.model = model;
            this.copy = SyntheticData.snapshot(model.parameters());
        }

        @Override
        public void onStep(StepState state) {
            copy = SyntheticData.snapshot(model.parameters());
        }
    }

    /** MSE, except that the loss of the third batch is NaN. */
    private static Loss nanAtStep(int bad) {
        int[] calls = {0};
        Loss mse = Losses.mse();
        return new Loss() {
            @Override
            public LossSpec spec() {
                return new LossSpec.Custom("nan_at_step_" + bad);
            }

            @Override
            public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
                double value = mse.evaluate(x, output, d, grads);
                return ++calls[0] == bad ? Double.NaN : value;
            }
        };
    }

    private static TrainingConfig.Builder config() {
        return TrainingConfig.builder().epochs(3).batchSize(16).optimizer(OptimizerConfig.adam(1e-2));
    }

    @Test
    void aNanLossStopsTheRunBeforeItsUpdate() {
        // identity projection: the refused step's forward leaves the raw weights bit for bit as they were
        Sae model = TestModels.vanilla(
                SaeConfig.of(8, 12).withDictionary(new DictionaryConfig(Normalization.IDENTITY, false)));
        LastGoodWeights good = new LastGoodWeights(model);
        TrainingResult result =
                new Trainer(config().loss(nanAtStep(3)).build(), new DivergenceCheck(), good).fit(model, DATA);
        assertEquals(TrainingResult.Status.DIVERGED, result.status());
        assertEquals(2, result.steps());
        assertEquals(2, result.history().steps().size());
        String m = result.message();
        assertTrue(
                m.contains("diverged at step 3 (epoch 1)")
                        && m.contains("the loss is NaN")
                        && m.contains("keeps the weights of step 2"),
                m);
        assertTrue(
                m.contains("lower learning rate (now 0.0100)")
                        && m.contains("clip norm now 1.0")
                        && m.contains("standardising the inputs"),
                m);
        assertTrue(SyntheticData.bitIdentical(good.copy, SyntheticData.snapshot(model.parameters())));
    }

    @Test
    void hugeInputsStopTheFirstStepAndLeaveTheInitialWeights() {
        InMemoryDataset huge = InMemoryDataset.of(DATA.matrix().mul(1e30f), "huge");
        Sae model = TestModels.vanilla(
                SaeConfig.of(8, 12).withDictionary(new DictionaryConfig(Normalization.IDENTITY, false)));
        List<INDArray> initial = SyntheticData.snapshot(model.parameters());
        TrainingResult result = new Trainer(
                        config().optimizer(OptimizerConfig.adam(1e3))
                                .clipNorm(0)
                                .build(),
                        new DivergenceCheck())
                .fit(model, huge);
        assertEquals(TrainingResult.Status.DIVERGED, result.status());
        assertEquals(0, result.steps());
        assertTrue(
                result.message().contains("at step 1") && result.message().contains("clip norm now off"),
                result.message());
        assertTrue(SyntheticData.bitIdentical(initial, SyntheticData.snapshot(model.parameters())));
    }

    @Test
    void aRefusedStepLeavesBatchNormRunningStatisticsAsTheLastGoodStepLeftThem() {
        // the refused step's forward pass must not fold its batch into the running statistics
        Sae model = TestModels.vanilla(SaeConfig.of(8, 12)
                .withEncoder(EncoderKind.MLP_BN_1)
                .withDictionary(new DictionaryConfig(Normalization.IDENTITY, false)));
        LastGoodWeights good = new LastGoodWeights(model);
        TrainingResult result =
                new Trainer(config().loss(nanAtStep(3)).build(), new DivergenceCheck(), good).fit(model, DATA);
        assertEquals(TrainingResult.Status.DIVERGED, result.status());
        assertEquals(
                2L,
                model.parameter("encoder.final_block.1.num_batches_tracked")
                        .orElseThrow()
                        .value()
                        .getLong(0));
        assertTrue(
                SyntheticData.bitIdentical(good.copy, SyntheticData.snapshot(model.parameters())),
                "running_mean and running_var must be those of step 2");
    }
}
