package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Resuming from a run's state mid-epoch ends, in float64, bit for bit where the uninterrupted run ends. */
class TrainerResumeTest {
    private static final InMemoryDataset DATA =
            InMemoryDataset.of(new SeededRandom(3).normal(DType.FLOAT64, 1.0, 70, 6), "random");
    private static final TrainingConfig CONFIG = TrainingConfig.builder()
            .epochs(3)
            .batchSize(16)
            .optimizer(OptimizerConfig.adamW(3e-3, 0.01))
            .schedule(Schedule.cosine(0.1, 0.1))
            .build();
    private static final ModelSpec SPEC = ModelSpec.of(
            SaeConfig.of(6, 20)
                    .withEncoder(EncoderKind.MLP_BN_1)
                    .withDType(DType.FLOAT64)
                    .withSeed(4),
            new BatchTopKSpec(new BatchTopKSae.BatchK.PerSample(3), 0.9));

    @Test
    void resumingMidEpochEndsBitForBitLikeTheUninterruptedRun() {
        SparseAutoencoder uninterrupted = SPEC.build();
        new Trainer(CONFIG).fit(uninterrupted, DATA);

        // a run that saves everything after step 7 (the middle of the second epoch: 5 steps per epoch)
        SparseAutoencoder first = SPEC.build();
        Map<String, INDArray> weights = new HashMap<>();
        Map<String, Object[]> adam = new HashMap<>();
        TrainingProgress[] at = new TrainingProgress[1];
        Trainer[] firstTrainer = new Trainer[1];
        TrainingListener saver = new TrainingListener() {
            @Override
            public void onStep(StepState s) {
                if (s.step() == 7) {
                    at[0] = new TrainingProgress(s.epoch(), s.stepInEpoch(), s.step());
                    for (Parameter p : first.parameters()) {
                        weights.put(p.name(), p.value().dup());
                        Adam.State st = ((Adam) firstTrainer[0].optimizer()).state(p);
                        if (st != null) {
                            adam.put(p.name(), new Object[] {
                                st.step(), st.expAvg().dup(), st.expAvgSq().dup()
                            });
                        }
                    }
                }
            }
        };
        firstTrainer[0] = new Trainer(CONFIG, saver);
        firstTrainer[0].fit(first, DATA);
        assertEquals(new TrainingProgress(1, 2, 7), at[0]);

        SparseAutoencoder resumed = SPEC.build();
        Trainer trainer = new Trainer(CONFIG);
        for (Parameter p : resumed.parameters()) {
            p.assign(weights.get(p.name()));
            Object[] st = adam.get(p.name());
            if (st != null) {
                ((Adam) trainer.optimizer()).restore(p, (Long) st[0], (INDArray) st[1], (INDArray) st[2]);
            }
        }
        TrainingResult rest = trainer.resume(resumed, DATA, at[0]);
        assertEquals(15 - 7, rest.steps());
        for (Parameter p : uninterrupted.parameters()) {
            assertArrayEquals(
                    p.value().dup().data().asDouble(),
                    resumed.parameter(p.name())
                            .orElseThrow()
                            .value()
                            .dup()
                            .data()
                            .asDouble(),
                    0.0,
                    p.name());
        }
    }
}
