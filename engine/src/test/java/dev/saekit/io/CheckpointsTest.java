package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.JumpKernel;
import dev.saekit.model.JumpReluSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.MpSpec;
import dev.saekit.model.MsaeSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import dev.saekit.train.Adam;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.Schedule;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

class CheckpointsTest {
    static final InMemoryDataset DATA =
            InMemoryDataset.of(new SeededRandom(3).normal(DType.FLOAT64, 1.0, 70, 6), "random");
    static final TrainingConfig CONFIG = TrainingConfig.builder()
            .epochs(3)
            .batchSize(16)
            .optimizer(OptimizerConfig.adamW(3e-3, 0.01))
            .schedule(Schedule.cosine(0.1, 0.1))
            .build();
    private static final SaeConfig SAE =
            SaeConfig.of(6, 20).withDType(DType.FLOAT64).withSeed(4);

    static Stream<ModelSpec> specs() {
        return Stream.of(
                ModelSpec.of(
                        SAE.withEncoder(EncoderKind.MLP_BN_1),
                        new BatchTopKSpec(new BatchTopKSae.BatchK.PerSample(3), 0.9)),
                ModelSpec.of(SAE, new JumpReluSpec(JumpKernel.SILVERMAN, 1e-3f)),
                ModelSpec.of(SAE, new MpSpec(2, 0.3)),
                ModelSpec.of(SAE, new MsaeSpec(List.of(2, 4), 30)),
                new ModelSpec(
                        SAE,
                        new TopKSpec(3),
                        new ModelSpec.DictionarySpec.Archetypal(24, 1.0, true),
                        new ModelSpec.EncoderSpec.Tied(true)),
                new ModelSpec(
                        SAE,
                        new VanillaSpec(),
                        new ModelSpec.DictionarySpec.Plain(),
                        new ModelSpec.EncoderSpec.SaeLens(true)),
                // rows of 6: a skip transcoder's 4 inputs and 2 targets; a crosscoder's 2 layers of 3
                ModelSpec.coder(SAE.withInputDim(4), new TopKSpec(3), new CoderSpec.Transcoder(2, true)),
                ModelSpec.coder(
                        SAE,
                        new BatchTopKSpec(new BatchTopKSae.BatchK.PerSample(3), 0.999),
                        CoderSpec.Crosscoder.of(2)));
    }

    private static void assertSameWeights(SparseAutoencoder a, SparseAutoencoder b) {
        assertEquals(a.parameters().size(), b.parameters().size());
        for (Parameter p : a.parameters()) {
            INDArray q = b.parameter(p.name()).orElseThrow().value();
            assertEquals(p.value().dataType(), q.dataType(), p.name());
            assertArrayEquals(p.value().dup().data().asBytes(), q.dup().data().asBytes(), p.name() + " bit for bit");
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void aModelRoundTripsBitForBit(ModelSpec spec, @TempDir Path root) throws IOException {
        SparseAutoencoder m = spec.build();
        new Trainer(TrainingConfig.builder().epochs(1).batchSize(16).build()).fit(m, DATA);
        Checkpoints.save(
                root,
                Checkpoints.State.builder(m, new dev.saekit.train.TrainingProgress(1, 0, 5))
                        .build(),
                3);
        Checkpoint c = Checkpoints.load(root);
        assertEquals(spec, c.spec());
        assertSameWeights(m, c.model());
    }

    @Test
    void resumingFromASavedCheckpointEndsBitForBitLikeTheUninterruptedRun(@TempDir Path root) throws IOException {
        ModelSpec spec = specs().findFirst().orElseThrow();
        SparseAutoencoder uninterrupted = spec.build();
        new Trainer(CONFIG).fit(uninterrupted, DATA);

        SparseAutoencoder first = spec.build();
        new Trainer(CONFIG, CheckpointListener.builder(root).every(7).keep(10).build()).fit(first, DATA);
        Checkpoint c = Checkpoints.load(root.resolve("step-000000007"));
        assertEquals(new dev.saekit.train.TrainingProgress(1, 2, 7), c.progress());
        Trainer trainer = new Trainer(CONFIG);
        c.restoreOptimizer((Adam) trainer.optimizer());
        trainer.resume(c.model(), DATA, c.progress());
        assertSameWeights(uninterrupted, c.model());
        assertSameWeights(uninterrupted, Checkpoints.load(root).model()); // the final checkpoint, via latest
    }

    @Test
    void onlyTheNewestAreKeptAndLatestPointsAtTheLast(@TempDir Path root) throws IOException {
        SparseAutoencoder m = ModelSpec.of(SAE, new TopKSpec(3)).build();
        new Trainer(CONFIG, CheckpointListener.builder(root).every(2).keep(2).build()).fit(m, DATA);
        assertEquals(
                List.of("step-000000014", "step-000000015"),
                Checkpoints.completeCheckpoints(root).stream()
                        .map(p -> p.getFileName().toString())
                        .toList());
        assertEquals("step-000000015", Files.readString(root.resolve("latest")).trim());
    }

    @Test
    void anUnknownFormatVersionIsRefused(@TempDir Path root) throws IOException {
        SparseAutoencoder m = ModelSpec.of(SAE, new TopKSpec(3)).build();
        Path dir = Checkpoints.save(
                root,
                Checkpoints.State.builder(m, dev.saekit.train.TrainingProgress.start())
                        .attachments(Map.of("mean", m.parameters().get(0).value()))
                        .build(),
                1);
        Path config = dir.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"format_version\" : 1", "\"format_version\" : 7"));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Checkpoints.load(root));
        assertTrue(e.getMessage().contains("version 7") && e.getMessage().contains("reads version 1"), e.getMessage());
    }

    @Test
    void aWeightsFileOfAnotherModelIsRefusedByName(@TempDir Path root) throws IOException {
        Path dir = Checkpoints.save(
                root,
                Checkpoints.State.builder(
                                ModelSpec.of(SAE, new TopKSpec(3)).build(), dev.saekit.train.TrainingProgress.start())
                        .build(),
                1);
        SparseAutoencoder jump =
                ModelSpec.of(SAE, new JumpReluSpec(JumpKernel.SILVERMAN, 1e-3f)).build();
        MalformedFileException e = assertThrows(
                MalformedFileException.class, () -> Checkpoints.loadWeights(dir.resolve("weights.safetensors"), jump));
        assertTrue(e.getMessage().contains("'thresholds'"), e.getMessage());
    }

    @Test
    void attachmentsComeBack(@TempDir Path root) throws IOException {
        SparseAutoencoder m = ModelSpec.of(SAE, new TopKSpec(3)).build();
        INDArray mean = new SeededRandom(1).normal(DType.FLOAT32, 1.0, 6);
        Checkpoints.save(
                root,
                Checkpoints.State.builder(m, dev.saekit.train.TrainingProgress.start())
                        .attachments(Map.of("data_mean", mean))
                        .build(),
                1);
        Tolerance.assertIdentical(mean, Checkpoints.load(root).attachments().get("data_mean"), "the attachment");
    }
}
