package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Npy;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code saekit train --data DIR} streams a directory of .npy shards. */
class ShardedTrainTest {

    @Test
    void trainsFromADirectoryOfShardsAndNamesABadRowByFile(@TempDir Path tmp) throws IOException {
        Path shards = Files.createDirectories(tmp.resolve("shards"));
        for (int i = 0; i < 3; i++) {
            Npy.write(
                    shards.resolve("part-" + i + ".npy"),
                    new SeededRandom(i).normal(DType.FLOAT32, 1.0, 300 + 50 * i, 12));
        }
        CliRun run = CliRun.of(
                "train",
                "--data",
                shards.toString(),
                "--concepts",
                "24",
                "--epochs",
                "2",
                "--batch-size",
                "64",
                "--buffer-rows",
                "200",
                "--no-progress",
                "--variant",
                "topk",
                "--k",
                "4");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("metrics over all 1050 rows"), run.out());

        INDArray bad = new SeededRandom(9).normal(DType.FLOAT32, 1.0, 40, 12);
        bad.putScalar(17, 5, Float.NaN);
        Npy.write(shards.resolve("part-9.npy"), bad);
        CliRun nan =
                CliRun.of("train", "--data", shards.toString(), "--concepts", "24", "--epochs", "1", "--no-progress");
        assertEquals(SaekitCli.EXIT_INPUT, nan.exitCode());
        assertEquals(1, nan.errLines().size(), nan.err());
        assertTrue(
                nan.err().contains("part-9.npy")
                        && nan.err().contains("row 17")
                        && nan.err().contains("column 5"),
                nan.err());
    }
}
