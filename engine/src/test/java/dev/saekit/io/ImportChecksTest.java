package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.MemoryBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Files that describe a model they do not hold, or hold weights that are not finite: refused before
 * a model is allocated, with the file, the tensor and the value.
 */
class ImportChecksTest {
    private static final Path LENS = Path.of("src/test/resources/golden-io/sae_lens");

    /** A copy of the SAELens directory {@code arch} with {@code tensor[index]} set to {@code value}. */
    private static Path withValue(Path tmp, String arch, String tensor, long index, double value) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(arch));
        Files.copy(LENS.resolve(arch).resolve(SaeLensFormat.CONFIG), dir.resolve(SaeLensFormat.CONFIG));
        Map<String, INDArray> w =
                new LinkedHashMap<>(Safetensors.read(LENS.resolve(arch).resolve(SaeLensFormat.WEIGHTS)));
        INDArray t = w.get(tensor).dup();
        t.reshape(t.length()).putScalar(index, value);
        w.put(tensor, t);
        Safetensors.write(dir.resolve(SaeLensFormat.WEIGHTS), w, Map.of());
        return dir;
    }

    @Test
    void aNanWeightIsRefusedWithTheTensorAndItsIndex(@TempDir Path tmp) throws IOException {
        Path dir = withValue(tmp, "standard", "W_enc", 5, Double.NaN);
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> SaeLensFormat.read(dir, DType.FLOAT32));
        assertTrue(
                e.getMessage().startsWith(dir.resolve(SaeLensFormat.WEIGHTS) + ": 'W_enc' holds NaN at [0, 5]"),
                e.getMessage());
    }

    @Test
    void anInfiniteJumpReluThresholdIsRefused(@TempDir Path tmp) throws IOException {
        Path dir = withValue(tmp, "jumprelu", "threshold", 2, Double.POSITIVE_INFINITY);
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> SaeLensFormat.read(dir, DType.FLOAT32));
        assertTrue(e.getMessage().contains("'threshold' holds Infinity at [2]"), e.getMessage());
    }

    @Test
    void aCfgClaimingAFarLargerModelIsRefusedBeforeAnythingIsAllocated(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("big"));
        String cfg = Files.readString(LENS.resolve("standard").resolve(SaeLensFormat.CONFIG))
                .replaceAll("\"d_sae\"\\s*:\\s*\\d+", "\"d_sae\": 10000000");
        Files.writeString(dir.resolve(SaeLensFormat.CONFIG), cfg);
        Files.copy(LENS.resolve("standard").resolve(SaeLensFormat.WEIGHTS), dir.resolve(SaeLensFormat.WEIGHTS));
        long before = MemoryBudget.peakResidentBytes();
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> SaeLensFormat.read(dir, DType.FLOAT32));
        assertTrue(
                e.getMessage().contains("'W_enc' has shape") && e.getMessage().contains("d_sae 10000000"),
                e.getMessage());
        // a model of 10^7 concepts would hold gigabytes: the peak did not move by anything near that
        assertTrue(MemoryBudget.peakResidentBytes() - before < (256L << 20), "allocated before refusing");
    }

    @Test
    void aCheckpointWhoseWeightsDisagreeWithItsSpecIsRefusedBeforeAllocating(@TempDir Path root) throws IOException {
        SparseAutoencoder m = ModelSpec.of(SaeConfig.of(6, 12), new TopKSpec(2)).build();
        Path dir = Checkpoints.save(
                root,
                Checkpoints.State.builder(m, dev.saekit.train.TrainingProgress.start())
                        .build(),
                1);
        Path config = dir.resolve("config.json");
        Files.writeString(
                config, Files.readString(config).replaceAll("\"nb_concepts\"\\s*:\\s*12", "\"nb_concepts\" : 5000000"));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Checkpoints.load(root));
        assertTrue(e.getMessage().startsWith(dir.resolve("weights.safetensors") + ": '"), e.getMessage());
        assertTrue(e.getMessage().contains("5000000 concepts"), e.getMessage());
    }

    @Test
    void aNonFiniteWeightInACheckpointIsRefused(@TempDir Path root) throws IOException {
        SparseAutoencoder m = ModelSpec.of(SaeConfig.of(6, 12), new TopKSpec(2)).build();
        m.parameter("dictionary._weights").orElseThrow().value().putScalar(3, 4, Double.NEGATIVE_INFINITY);
        Checkpoints.save(
                root,
                Checkpoints.State.builder(m, dev.saekit.train.TrainingProgress.start())
                        .build(),
                1);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Checkpoints.load(root));
        assertTrue(e.getMessage().contains("'dictionary._weights' holds -Infinity at [3, 4]"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
