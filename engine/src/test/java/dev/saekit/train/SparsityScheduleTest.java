package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSae;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.listeners.DeadCodeTracker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The L1 warm-up and k annealing. */
class SparsityScheduleTest {
    private static final SaeConfig CONFIG =
            SaeConfig.of(5, 12).withDType(DType.FLOAT64).withSeed(2);
    private static final InMemoryDataset DATA =
            InMemoryDataset.of(new SeededRandom(3).normal(DType.FLOAT64, 1.0, 40, 5), "random");

    @Test
    void theL1FactorGrowsLinearlyFromZero() {
        TrainingConfig c = TrainingConfig.builder().sparsityWarmupSteps(4).build();
        // min(1, t / 4) at the 0-based step t
        assertEquals(0.0, c.sparsityFactor(0));
        assertEquals(0.25, c.sparsityFactor(1));
        assertEquals(0.75, c.sparsityFactor(3));
        assertEquals(1.0, c.sparsityFactor(4));
        assertEquals(1.0, c.sparsityFactor(100));
        assertEquals(1.0, TrainingConfig.builder().build().sparsityFactor(0), "no warm-up");
    }

    @Test
    void warmUpScalesOnlyTheL1TermsAndKeepsTheOthersAsTheyAre() {
        AuxKLoss auxk = new AuxKLoss(new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, 3), 2, 0.5);
        Loss sum = Losses.mseL1(0.4).plus(auxk).plus(Losses.l1(0.2).times(3));
        Loss scaled = sum.withSparsityFactor(0.25);
        assertEquals(
                new LossSpec.Sum(
                        List.of(new LossSpec.MseL1(0.1), auxk.spec(), new LossSpec.Weighted(new LossSpec.L1(0.05), 3))),
                scaled.spec());
        assertEquals(sum.listeners(), scaled.listeners(), "AuxK keeps its own tracker");
        assertSame(sum, sum.withSparsityFactor(1.0), "after the warm-up the loss is the config's own");
        Loss mse = Losses.mse();
        assertSame(mse, mse.withSparsityFactor(0.5));
    }

    /** The first step of a warm-up weighs L1 by 0: its update is MSE's, bit for bit; the second is not. */
    @Test
    void theFirstWarmUpStepTrainsOnTheReconstructionAlone() {
        List<Double> warm =
                losses(TrainingConfig.builder().loss(Losses.mseL1(0.05)).sparsityWarmupSteps(3));
        List<Double> mse = losses(TrainingConfig.builder().loss(Losses.mse()));
        List<Double> full = losses(TrainingConfig.builder().loss(Losses.mseL1(0.05)));
        assertEquals(mse.get(0), warm.get(0), 0.0, "step 1 uses an L1 weight of 0");
        assertTrue(warm.get(1) != mse.get(1), "step 2 weighs L1 by 1/3");
        assertTrue(warm.get(0) < full.get(0), "without warm-up, step 1 pays the full L1");
    }

    private static List<Double> losses(TrainingConfig.Builder b) {
        List<Double> out = new ArrayList<>();
        new Trainer(b.epochs(1).batchSize(10).build(), new TrainingListener() {
                    @Override
                    public void onStep(StepState s) {
                        out.add(s.loss());
                    }
                })
                .fit(ModelSpec.of(CONFIG, new VanillaSpec()).build(), DATA);
        return out;
    }

    @Test
    void kFallsLinearlyAndIsTruncated() {
        KAnnealing a = new KAnnealing(10, 4);
        // floor(10 (1 - r) + 2 r), r = min(t, 4) / 4
        long[] expected = {10, 8, 6, 4, 2, 2};
        for (int t = 0; t < expected.length; t++) {
            assertEquals(expected[t], a.k(t, 2), "step " + t);
        }
        KAnnealing b = new KAnnealing(7, 3); // 7 (2/3) + 2 (1/3) = 16/3 -> 5; 7/3 + 4/3 = 11/3 -> 3
        assertEquals(5, b.k(1, 2));
        assertEquals(3, b.k(2, 2));
    }

    @Test
    void aTopKRunKeepsTheAnnealedKAtEachStep() {
        SparseAutoencoder model = ModelSpec.of(CONFIG, new TopKSpec(2)).build();
        List<Integer> seen = new ArrayList<>();
        new Trainer(
                        TrainingConfig.builder()
                                .epochs(2)
                                .batchSize(10)
                                .kAnnealing(new KAnnealing(10, 4))
                                .build(),
                        new TrainingListener() {
                            @Override
                            public void beforeUpdate(StepState s) {
                                seen.add(((TopKSae) model).activeK());
                                assertTrue(
                                        s.output().sparseCodes().nonZeros() <= 10L * ((TopKSae) model).activeK(),
                                        "at most k codes per row");
                            }
                        })
                .fit(model, DATA);
        assertEquals(List.of(10, 8, 6, 4, 2, 2, 2, 2), seen);
        assertEquals(2, ((TopKSae) model).k(), "the spec's k is unchanged");
    }

    @Test
    void annealingIsRefusedWhereItCannotRun() {
        SparseAutoencoder vanilla = ModelSpec.of(CONFIG, new VanillaSpec()).build();
        Trainer t = new Trainer(TrainingConfig.builder()
                .batchSize(10)
                .kAnnealing(new KAnnealing(4, 2))
                .build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(vanilla, DATA));
        assertTrue(e.getMessage().contains("keep the k largest"), e.getMessage());
        SparseAutoencoder topk = ModelSpec.of(CONFIG, new TopKSpec(5)).build();
        e = assertThrows(IllegalArgumentException.class, () -> t.fit(topk, DATA));
        assertTrue(e.getMessage().contains("start must be in 5..12"), e.getMessage());
        Trainer tooLong = new Trainer(TrainingConfig.builder()
                .epochs(1)
                .batchSize(10)
                .kAnnealing(new KAnnealing(8, 5))
                .build());
        e = assertThrows(IllegalArgumentException.class, () -> tooLong.fit(topk, DATA));
        assertTrue(e.getMessage().contains("at most the run's 4 steps"), e.getMessage());
        SparseAutoencoder batch =
                ModelSpec.of(CONFIG, BatchTopKSpec.perSample(2)).build();
        new Trainer(TrainingConfig.builder()
                        .epochs(1)
                        .batchSize(10)
                        .kAnnealing(new KAnnealing(6, 2))
                        .build())
                .fit(batch, DATA);
        assertEquals(
                new dev.saekit.model.BatchTopKSae.BatchK.PerSample(2),
                ((dev.saekit.model.BatchTopKSae) batch).activeK(),
                "BatchTopK ends at its own k");
    }
}
