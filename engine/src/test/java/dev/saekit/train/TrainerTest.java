package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.Sae;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TestModels;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The training loop on small synthetic data: learning, reproducibility, listener protocol. */
class TrainerTest {
    private static final InMemoryDataset DATA = SyntheticData.sparseDictionary(256, 16, 8, 2, DType.FLOAT32, 1);

    private static Sae model() {
        return TestModels.vanilla(SaeConfig.of(16, 32).withSeed(2));
    }

    private static TrainingConfig.Builder config() {
        return TrainingConfig.builder()
                .epochs(4)
                .batchSize(32)
                .optimizer(OptimizerConfig.adam(5e-3))
                .seed(3);
    }

    private static InMemoryDataset firstTenRows() {
        return InMemoryDataset.of(DATA.matrix().getRows(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), "10 rows");
    }

    @Test
    void theLossFallsOnDataFromASparseDictionary() {
        TrainingResult result = new Trainer(config().epochs(6).build()).fit(model(), DATA);
        assertTrue(result.completed());
        assertEquals(6 * 8, result.steps());
        assertEquals(6, result.history().epochs().size());
        double first = result.history().epochs().get(0).loss();
        double last = result.lastEpoch().orElseThrow().loss();
        assertTrue(last < 0.5 * first, "epoch losses " + first + " -> " + last);
        assertTrue(
                result.lastEpoch().orElseThrow().r2() > 0.5,
                "r2 " + result.lastEpoch().orElseThrow().r2());
    }

    @Test
    void theSameSeedsGiveBitIdenticalWeights() {
        Sae a = model();
        Sae b = model();
        new Trainer(config().build()).fit(a, DATA);
        new Trainer(config().build()).fit(b, DATA);
        assertTrue(SyntheticData.bitIdentical(
                SyntheticData.snapshot(a.parameters()), SyntheticData.snapshot(b.parameters())));

        Sae c = model();
        new Trainer(config().seed(4).build()).fit(c, DATA);
        assertFalse(
                SyntheticData.bitIdentical(
                        SyntheticData.snapshot(a.parameters()), SyntheticData.snapshot(c.parameters())),
                "another batch order must give other weights");
    }

    @Test
    void listenersSeeTheWeightsBeforeTheUpdateAndAfterIt() {
        List<String> events = new ArrayList<>();
        Sae model = model();
        List<INDArray> lastSeen = new ArrayList<>(SyntheticData.snapshot(model.parameters()));
        TrainingListener recorder = new TrainingListener() {
            @Override
            public void onTrainingStart(TrainingContext context) {
                events.add("start " + context.stepsPerEpoch() + "x"
                        + context.config().epochs());
            }

            @Override
            public void beforeUpdate(StepState s) {
                events.add("before " + s.step());
                List<INDArray> now = SyntheticData.snapshot(model.parameters());
                // the encoder has not changed since the previous onStep (the dictionary is re-projected by the forward)
                assertTrue(
                        SyntheticData.bitIdentical(lastSeen.subList(0, 2), now.subList(0, 2)),
                        "before step " + s.step());
            }

            @Override
            public void onStep(StepState s) {
                events.add("step " + s.step() + " (" + s.stepInEpoch() + "/" + s.stepsPerEpoch() + ")");
                List<INDArray> now = SyntheticData.snapshot(model.parameters());
                assertFalse(
                        SyntheticData.bitIdentical(lastSeen.subList(0, 2), now.subList(0, 2)),
                        "after step " + s.step());
                lastSeen.clear();
                lastSeen.addAll(now);
            }

            @Override
            public void onEpochEnd(EpochSummary e) {
                events.add("epoch " + e.epoch());
            }

            @Override
            public void onTrainingEnd(TrainingResult r) {
                events.add("end " + r.status());
            }
        };
        new Trainer(config().epochs(2).batchSize(4).build(), recorder).fit(model, firstTenRows());
        assertEquals(
                List.of(
                        "start 3x2",
                        "before 1",
                        "step 1 (1/3)",
                        "before 2",
                        "step 2 (2/3)",
                        "before 3",
                        "step 3 (3/3)",
                        "epoch 0",
                        "before 4",
                        "step 4 (1/3)",
                        "before 5",
                        "step 5 (2/3)",
                        "before 6",
                        "step 6 (3/3)",
                        "epoch 1",
                        "end COMPLETED"),
                events);
    }

    @Test
    void theLastShortBatchIsTrainedOnToo() {
        List<Integer> rows = new ArrayList<>();
        TrainingListener sizes = new TrainingListener() {
            @Override
            public void onStep(StepState s) {
                rows.add(s.output().codes().rows());
            }
        };
        new Trainer(config().epochs(1).batchSize(4).build(), sizes).fit(model(), firstTenRows());
        assertEquals(List.of(4, 4, 2), rows);
    }

    @Test
    void dataOfTheWrongWidthIsRejectedWithBothShapes() {
        InMemoryDataset narrow = InMemoryDataset.of(Tensors.ones(DType.FLOAT32, 5, 3), "narrow");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new Trainer(config().build()).fit(model(), narrow));
        assertTrue(e.getMessage().contains("[5, 3]") && e.getMessage().contains("[batch, 16]"), e.getMessage());
    }

    @Test
    void float64DataTrainsAFloat32ModelThroughACastAndASecondFitContinues() {
        SparseAutoencoder model = model();
        Trainer trainer = new Trainer(config().epochs(1).build());
        TrainingResult first = trainer.fit(model, DATA.withDType(DType.FLOAT64));
        TrainingResult second = trainer.fit(model, DATA);
        assertTrue(first.completed() && second.completed());
        assertEquals(16, trainer.stepsDone());
        assertEquals(9, second.history().steps().get(0).step(), "the second call continues the step numbers");
        assertTrue(
                second.history().epochs().get(0).loss()
                        < first.history().epochs().get(0).loss(),
                "the second call starts from the trained weights");
    }

    @Test
    void theListenersALossNamesRunOnceEachStepAlsoWhenPassedAgain() {
        int[] steps = new int[1];
        TrainingListener counter = new TrainingListener() {
            @Override
            public void onStep(StepState s) {
                steps[0]++;
            }
        };
        Loss counted = new Loss() {
            @Override
            public LossSpec spec() {
                return new LossSpec.Custom("counted");
            }

            @Override
            public List<TrainingListener> listeners() {
                return List.of(counter);
            }

            @Override
            public double evaluate(INDArray x, dev.saekit.model.SaeOutput out, INDArray d, LossGradients grads) {
                return Losses.mse().evaluate(x, out, d, grads);
            }
        };
        new Trainer(config().epochs(1).batchSize(4).loss(counted).build()).fit(model(), firstTenRows());
        assertEquals(3, steps[0], "run from the loss alone");
        steps[0] = 0;
        new Trainer(config().epochs(1).batchSize(4).loss(counted).build(), counter).fit(model(), firstTenRows());
        assertEquals(3, steps[0], "passed as a listener too, it still sees each step once");
    }
}
