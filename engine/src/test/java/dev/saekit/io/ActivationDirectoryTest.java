package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A directory with a manifest is a data location: one tap's shards, in the manifest's order. */
class ActivationDirectoryTest {
    @TempDir
    Path dir;

    /** Writes taps {@code residual:3} (width 3) and {@code mlp_out:2} (width 2), 5 + 2 rows each; a stray shard is left unlisted. */
    private void harvest(boolean complete) throws IOException {
        List<ActivationManifest.Tap> taps = new ArrayList<>();
        for (String[] t : new String[][] {{"residual:3", "residual_3", "3"}, {"mlp_out:2", "mlp_out_2", "2"}}) {
            int width = Integer.parseInt(t[2]);
            Path d = Files.createDirectories(dir.resolve(t[1]));
            // the shards' file names sort the other way round from the manifest's order: the manifest rules
            Npy.write(d.resolve("b.npy"), rows(0, 5, width));
            Npy.write(d.resolve("a.npy"), rows(5, 2, width));
            Npy.write(d.resolve("stray.npy"), rows(100, 4, width));
            taps.add(new ActivationManifest.Tap(
                    t[0],
                    t[1],
                    "[?, ?, " + width + "]",
                    width,
                    7,
                    0,
                    List.of(new ActivationManifest.Shard("b.npy", 5), new ActivationManifest.Shard("a.npy", 2))));
        }
        new ActivationManifest(
                        ActivationManifest.FORMAT_VERSION, complete, "m.onnx", "0", "text", 3, 5, 1, taps, Map.of())
                .write(dir);
    }

    private static INDArray rows(int first, int n, int width) {
        float[] v = new float[n * width];
        for (int i = 0; i < v.length; i++) {
            v[i] = first * width + i;
        }
        return Tensors.fromFlat(DType.FLOAT32, v, n, width);
    }

    @Test
    void aTapIsChosenByNameOrDirectoryAndReadInTheManifestsOrder() throws IOException {
        harvest(true);
        for (String name : List.of("residual:3", "residual_3")) {
            DataLocation location = DataLocation.open(dir.toString(), name, 1);
            assertEquals(7, location.rows());
            assertEquals(3, location.cols());
            assertArrayEquals(
                    rows(0, 7, 3).ravel().toFloatVector(),
                    location.load(DType.FLOAT32).ravel().toFloatVector());
            assertTrue(location.location().contains("tap residual:3"), location.location());
        }
        assertEquals(2, DataLocation.open(dir.toString(), "mlp_out:2", 1).cols());
    }

    @Test
    void severalTapsNeedAName() throws IOException {
        harvest(true);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DataLocation.open(dir.toString(), null, 1));
        assertTrue(e.getMessage().contains("2 taps") && e.getMessage().contains("'residual:3'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DataLocation.open(dir.toString(), "residual:4", 1));
        assertTrue(
                e.getMessage().contains("no tap 'residual:4'") && e.getMessage().contains("'mlp_out:2'"),
                e.getMessage());
    }

    @Test
    void anUnfinishedHarvestIsReadAsFarAsItGotAndSaysSo() throws IOException {
        harvest(false);
        DataLocation location = DataLocation.open(dir.toString(), "mlp_out:2", 1);
        assertEquals(7, location.rows());
        assertTrue(location.location().contains("unfinished"), location.location());
    }
}
