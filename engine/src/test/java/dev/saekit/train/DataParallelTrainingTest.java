package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.DataParallelBatches;
import dev.saekit.data.Dataset;
import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.JumpReluSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.MsaeSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.model.VariantSpec;
import dev.saekit.parallel.Collective;
import dev.saekit.parallel.SocketRing;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.listeners.DeadCodeTracker;
import dev.saekit.train.listeners.MetricHistory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Data-parallel training over a ring of workers (threads joined on loopback, as Spark's tasks join)
 * against one process training on the workers' batches put together ({@link DataParallelBatches}):
 * in float64 the runs agree to 1e-9 relative, whatever the variant, the loss and the batch
 * statistics they sum; and every worker ends with the same bits.
 */
class DataParallelTrainingTest {
    private static final int WIDTH = 12;
    private static final int CONCEPTS = 24;
    private static final int ROWS = 203; // uneven parts and a short last batch

    /** A variant, its loss (made afresh for each worker: AuxK's tracker is per run) and the run's options. */
    record Case(String name, VariantSpec variant, Supplier<Loss> loss, boolean shuffle, DecoderBiasInit init) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() {
        List<Case> cases = List.of(
                new Case("vanilla, mse + l1", new VanillaSpec(), () -> Losses.mseL1(1e-3), true, DecoderBiasInit.ZERO),
                new Case(
                        "topk, mse + SAELens AuxK",
                        new TopKSpec(3),
                        () -> Losses.mse()
                                .plus(new AuxKLoss(new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, 2), 4, 1.0 / 32)),
                        true,
                        DecoderBiasInit.ZERO),
                new Case(
                        "batchtopk, mse + sparsify AuxK",
                        new BatchTopKSpec(new BatchTopKSae.BatchK.PerSample(3), 0.9),
                        () -> Losses.mse()
                                .plus(new AuxKLoss(
                                        new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, 2),
                                        4,
                                        1.0 / 32,
                                        AuxKLoss.Flavor.SPARSIFY)),
                        false,
                        DecoderBiasInit.ZERO),
                new Case(
                        "jumprelu, its default loss",
                        new JumpReluSpec(JumpReluSpec.DEFAULT_KERNEL, 0.05f),
                        () -> Losses.defaultFor(new JumpReluSpec(JumpReluSpec.DEFAULT_KERNEL, 0.05f)),
                        true,
                        DecoderBiasInit.ZERO),
                new Case(
                        "matryoshka (MSAE), its default loss",
                        new MsaeSpec(List.of(8, 16, 24), 0.0),
                        () -> Losses.defaultFor(new MsaeSpec(List.of(8, 16, 24), 0.0)),
                        true,
                        DecoderBiasInit.ZERO));
        List<Arguments> args = new ArrayList<>();
        for (Case c : cases) {
            args.add(Arguments.of(c, 2));
        }
        args.add(Arguments.of(cases.get(1), 3));
        args.add(Arguments.of(cases.get(2), 3));
        return args.stream();
    }

    private static ModelSpec spec(VariantSpec variant, DType dtype) {
        return ModelSpec.of(SaeConfig.of(WIDTH, CONCEPTS).withDType(dtype).withSeed(7), variant);
    }

    private static TrainingConfig config(Case c) {
        return TrainingConfig.builder()
                .epochs(3)
                .batchSize(24)
                .optimizer(OptimizerConfig.adam(3e-3))
                .clipNorm(0.5)
                .loss(c.loss().get())
                .shuffle(c.shuffle())
                .decoderBiasInit(c.init())
                .normalization(InputNormalization.estimated(InputNormalization.Target.UNIT_MEAN_SQUARED_NORM, 64))
                .statisticsRows(64)
                .seed(11)
                .build();
    }

    /** The rows cut into {@code workers} contiguous parts of uneven sizes. */
    private static List<Dataset> parts(InMemoryDataset whole, int workers) {
        List<Dataset> parts = new ArrayList<>();
        long[] cuts = workers == 2 ? new long[] {0, 113, ROWS} : new long[] {0, 60, 139, ROWS};
        for (int w = 0; w < workers; w++) {
            INDArray rows = whole.matrix()
                    .get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(cuts[w], cuts[w + 1]),
                            org.nd4j.linalg.indexing.NDArrayIndex.all());
            parts.add(InMemoryDataset.of(rows.dup(), "part " + w));
        }
        return parts;
    }

    /** A run's end: its parameters and its step history. */
    record Run(List<INDArray> parameters, List<MetricHistory.StepRecord> steps, TrainingResult result) {}

    private static Run snapshot(SparseAutoencoder model, TrainingResult result) {
        List<INDArray> values = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            values.add(p.value().dup());
        }
        return new Run(values, result.history().steps(), result);
    }

    static List<Run> parallel(Case c, DType dtype, InMemoryDataset whole, int workers) throws Exception {
        List<Dataset> parts = parts(whole, workers);
        int[] shares = DataParallelBatches.shares(
                config(c).batchSize(), parts.stream().mapToLong(Dataset::rows).toArray());
        List<SocketRing.Listener> listeners = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            listeners.add(SocketRing.listen(InetAddress.getLoopbackAddress()));
            addresses.add(listeners.get(w).address("127.0.0.1"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int rank = w;
                runs.add(pool.submit(() -> {
                    try (SocketRing ring =
                            SocketRing.join(listeners.get(rank), rank, addresses, Duration.ofSeconds(60))) {
                        SparseAutoencoder model = spec(c.variant(), dtype).build();
                        TrainingConfig config = config(c);
                        Trainer trainer = new Trainer(config).dataParallel(new DataParallel(ring, shares[rank], whole));
                        return snapshot(model, trainer.fit(model, parts.get(rank)));
                    }
                }));
            }
            List<Run> out = new ArrayList<>();
            for (Future<Run> f : runs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static Run single(Case c, DType dtype, InMemoryDataset whole, int workers) {
        SparseAutoencoder model = spec(c.variant(), dtype).build();
        TrainingConfig config = config(c);
        Dataset global = new DataParallelBatches(parts(whole, workers), whole, config.batchSize());
        return snapshot(model, new Trainer(config).fit(model, global));
    }

    private static InMemoryDataset data(DType dtype) {
        return SyntheticData.sparseDictionary(ROWS, WIDTH, 16, 3, dtype, 5);
    }

    /** The largest difference of {@code a} from {@code b}, relative to {@code b}'s largest magnitude. */
    private static double relative(INDArray a, INDArray b) {
        double scale = b.amaxNumber().doubleValue();
        return a.sub(b).amaxNumber().doubleValue() / (scale == 0 ? 1 : scale);
    }

    @ParameterizedTest(name = "{0}, {1} workers")
    @MethodSource("cases")
    void float64RunsEqualOneProcessOnTheSameGlobalBatches(Case c, int workers) throws Exception {
        InMemoryDataset whole = data(DType.FLOAT64);
        List<Run> runs = parallel(c, DType.FLOAT64, whole, workers);
        Run one = single(c, DType.FLOAT64, whole, workers);
        Run first = runs.get(0);
        for (Run r : runs) { // every worker holds the same bits: each applied the same summed update
            for (int i = 0; i < first.parameters().size(); i++) {
                assertEquals(first.parameters().get(i), r.parameters().get(i));
            }
        }
        assertTrue(first.result().completed(), first.result().message());
        assertEquals(one.steps().size(), first.steps().size());
        assertTrue(first.steps().size() >= 3 * 8, "steps: " + first.steps().size());
        double worst = 0;
        for (int i = 0; i < one.parameters().size(); i++) {
            worst = Math.max(
                    worst, relative(first.parameters().get(i), one.parameters().get(i)));
        }
        assertTrue(worst <= 1e-9, c + ": parameters differ from one process by " + worst + " relative");
        for (int s = 0; s < one.steps().size(); s++) {
            double a = first.steps().get(s).loss();
            double b = one.steps().get(s).loss();
            assertEquals(b, a, 1e-9 * Math.abs(b), "loss of step " + s);
            assertEquals(
                    one.steps().get(s).gradNorm(),
                    first.steps().get(s).gradNorm(),
                    1e-9 * one.steps().get(s).gradNorm());
        }
        // and training moved the weights: a run that did nothing would agree too
        SparseAutoencoder fresh = spec(c.variant(), DType.FLOAT64).build();
        int trained = 0;
        while (!fresh.parameters().get(trained).isTrainable()) {
            trained++;
        }
        double moved = relative(
                fresh.parameters().get(trained).value(), one.parameters().get(trained));
        assertTrue(moved > 1e-3, "training moved the first trainable parameter by only " + moved);
    }

    @Test
    void float32RunsAgreeWithinFloat32sOwnNoise() throws Exception {
        Case c = (Case) cases().toList().get(2).get()[0]; // BatchTopK + sparsify's AuxK: every shared statistic
        List<Run> runs = parallel(c, DType.FLOAT32, data(DType.FLOAT32), 2);
        Run one32 = single(c, DType.FLOAT32, data(DType.FLOAT32), 2);
        Run one64 = single(c, DType.FLOAT64, data(DType.FLOAT64), 2);
        for (int i = 0; i < one32.parameters().size(); i++) {
            INDArray b64 = one64.parameters().get(i);
            double noise = relative(one32.parameters().get(i).castTo(b64.dataType()), b64); // float32's own error
            double gap = relative(
                    runs.get(0).parameters().get(i).castTo(b64.dataType()),
                    one32.parameters().get(i).castTo(b64.dataType()));
            assertTrue(
                    gap <= 10 * noise + 1e-6,
                    "parameter " + i + ": data-parallel float32 differs by " + gap + ", float32 from float64 by "
                            + noise);
        }
    }

    @Test
    void whatCannotBeSharedIsRefusedBeforeTraining() throws Exception {
        InMemoryDataset whole = data(DType.FLOAT64);
        Collective two = new Collective() { // never reached: the refusals come first
                    @Override
                    public int rank() {
                        return 0;
                    }

                    @Override
                    public int size() {
                        return 2;
                    }

                    @Override
                    public void sum(double[] values, int offset, int length) {
                        throw new AssertionError("no sum before the checks");
                    }

                    @Override
                    public void sum(float[] values, int offset, int length) {
                        throw new AssertionError("no sum before the checks");
                    }
                };
        SparseAutoencoder model = spec(new VanillaSpec(), DType.FLOAT64).build();
        TrainingConfig resampled = TrainingConfig.builder()
                .loss(Losses.mse().plus(new ReanimationLoss(0.1)))
                .batchSize(8)
                .build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Trainer(resampled)
                        .dataParallel(new DataParallel(two, 4, whole))
                        .fit(model, whole));
        assertTrue(e.getMessage().contains("cannot be trained data-parallel"), e.getMessage());
        assertFalse(new ReanimationLoss(0.1).dataParallel());
        assertThrows(IllegalArgumentException.class, () -> DataParallelBatches.shares(3, new long[] {5, 5, 5, 5}));
        assertEquals( // in proportion to the parts, one row each first, largest remainders next
                List.of(7, 4, 3),
                java.util.Arrays.stream(DataParallelBatches.shares(14, new long[] {100, 50, 40}))
                        .boxed()
                        .toList());
        assertEquals(
                List.of(5, 5, 4),
                java.util.Arrays.stream(DataParallelBatches.shares(14, new long[] {9, 9, 9}))
                        .boxed()
                        .toList());
    }
}
