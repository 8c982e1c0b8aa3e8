package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Npy;
import dev.saekit.io.Safetensors;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code saekit encode}: rows checked before they are encoded, codes written a batch at a time, dense or sparse, all or nothing. */
class EncodeCommandTest {
    @TempDir
    static Path tmp;

    private static Path model;
    private static Path clean;

    @BeforeAll
    static void trainAModel() throws IOException {
        Path run = tmp.resolve("run");
        CliRun trained = CliRun.of(
                "train",
                "--variant",
                "topk",
                "--k",
                "4",
                "--concepts",
                "32",
                "--epochs",
                "1",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                run.toString());
        assertEquals(0, trained.exitCode(), trained.err());
        model = run.resolve("model");
        clean = tmp.resolve("clean.npy");
        Npy.write(clean, new SeededRandom(5).normal(DType.FLOAT32, 0.5, 300, 100));
    }

    private static Path withNaNs(String name, long... rows) throws IOException {
        INDArray x = Npy.read(clean).dup();
        for (long r : rows) {
            x.putScalar(r, 7, r % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY);
        }
        Path file = tmp.resolve(name);
        Npy.write(file, x);
        return file;
    }

    @Test
    void aNonFiniteRowIsRefusedWithItsRowAndColumnAndNoFileIsLeft() throws IOException {
        Path data = withNaNs("nan.npy", 137);
        Path out = tmp.resolve("codes-nan.npy");
        CliRun run = CliRun.of(
                "encode",
                "--model",
                model.toString(),
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--batch-size",
                "64",
                "--no-progress");
        assertEquals(SaekitCli.EXIT_INPUT, run.exitCode());
        assertEquals(
                List.of("saekit: error: " + data
                        + " has Infinity at row 137, column 7; fix the data, or give --bad-rows skip "
                        + "to leave such rows out"),
                run.errLines());
        assertFalse(Files.exists(out), "no codes file");
        try (Stream<Path> left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void skippedRowsAreNamedAndLeftOutOfTheCodes() throws IOException {
        Path data = withNaNs("inf.npy", 3, 200);
        Path out = tmp.resolve("codes-skip.npy");
        CliRun run = CliRun.of(
                "encode",
                "--model",
                model.toString(),
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--batch-size",
                "64",
                "--bad-rows",
                "skip",
                "--no-progress");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(
                List.of(
                        "warning: " + data + " has Infinity at row 3, column 7: skipped (its codes are left out of "
                                + out + ")",
                        "warning: " + data + " has NaN at row 200, column 7: skipped (its codes are left out of " + out
                                + ")"),
                run.errLines());
        assertTrue(run.out().contains("298 rows x 32 concepts") && run.out().contains("2 rows skipped"), run.out());
        INDArray all = codes(tmp.resolve("codes-all.npy"));
        INDArray kept = Npy.read(out);
        assertEquals(298, kept.rows());
        assertEquals(all.getRow(4), kept.getRow(3), "row 4 of the data is row 3 of the codes");
    }

    @Test
    void sparseCodesAreTheDenseCodesNonZerosAsCsr() throws IOException {
        INDArray dense = codes(tmp.resolve("codes-dense.npy"));
        Path out = tmp.resolve("codes.safetensors");
        CliRun run = CliRun.of(
                "encode",
                "--model",
                model.toString(),
                "--data",
                clean.toString(),
                "--out",
                out.toString(),
                "--sparse",
                "--batch-size",
                "64",
                "--no-progress");
        assertEquals(0, run.exitCode(), run.err());
        dev.saekit.io.SafetensorsFile csr = Safetensors.header(out);
        long[] indptr = csr.readLongs("indptr");
        long[] indices = csr.readLongs("indices");
        float[] values = csr.read("values").toFloatVector();
        assertEquals(301, indptr.length);
        INDArray rebuilt = dense.ulike().assign(0);
        for (int r = 0; r < 300; r++) {
            assertTrue(indptr[r + 1] - indptr[r] <= 4, "at most k codes in row " + r);
            for (long e = indptr[r]; e < indptr[r + 1]; e++) {
                rebuilt.putScalar(r, indices[(int) e], values[(int) e]);
            }
        }
        assertArrayEquals(dense.data().asFloat(), rebuilt.data().asFloat());
        assertEquals("csr", Safetensors.header(out).metadata().get("format"));
        assertEquals("[300, 32]", Safetensors.header(out).metadata().get("shape"));
    }

    @Test
    void theRunDirectoryStandsForItsModel() throws IOException {
        INDArray fromModel = codes(tmp.resolve("codes-model.npy"));
        Path out = tmp.resolve("codes-run.npy");
        CliRun run = CliRun.of(
                "encode",
                "--model",
                model.getParent().toString(),
                "--data",
                clean.toString(),
                "--out",
                out.toString(),
                "--no-progress");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(fromModel, Npy.read(out));
    }

    @Test
    void aDirectoryWithoutACheckpointIsNamedWithWhatIsMissing() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("not-a-run"));
        CliRun run = CliRun.of(
                "encode",
                "--model",
                empty.toString(),
                "--data",
                clean.toString(),
                "--out",
                tmp.resolve("never.npy").toString(),
                "--no-progress");
        assertEquals(SaekitCli.EXIT_INPUT, run.exitCode());
        assertEquals(
                List.of("saekit: error: " + empty
                        + ": no complete checkpoint in this directory (expected step-N/config.json)"),
                run.errLines());
        CliRun missing = CliRun.of(
                "encode",
                "--model",
                tmp.resolve("nowhere").toString(),
                "--data",
                clean.toString(),
                "--out",
                tmp.resolve("never.npy").toString(),
                "--no-progress");
        assertEquals(
                List.of("saekit: error: " + tmp.resolve("nowhere") + ": no such file or directory"),
                missing.errLines());
        CliRun file = CliRun.of(
                "encode",
                "--model",
                clean.toString(),
                "--data",
                clean.toString(),
                "--out",
                tmp.resolve("never.npy").toString(),
                "--no-progress");
        assertEquals(
                List.of("saekit: error: " + clean
                        + ": not a checkpoint (a checkpoint is a directory: a run of `saekit train "
                        + "--out`, its model/ or a step-N)"),
                file.errLines());
    }

    @Test
    void theOutputNameMustFitTheFormat() {
        CliRun sparse = CliRun.of(
                "encode",
                "--model",
                model.toString(),
                "--data",
                clean.toString(),
                "--out",
                tmp.resolve("x.npy").toString(),
                "--sparse");
        assertEquals(SaekitCli.EXIT_USAGE, sparse.exitCode());
        assertTrue(sparse.err().contains("--sparse writes safetensors"), sparse.err());
        CliRun policy = CliRun.of(
                "encode",
                "--model",
                model.toString(),
                "--data",
                clean.toString(),
                "--out",
                tmp.resolve("x.npy").toString(),
                "--bad-rows",
                "ignore");
        assertEquals(List.of("saekit: error: --bad-rows: unknown 'ignore'; accepted: fail, skip"), policy.errLines());
    }

    private static INDArray codes(Path out) throws IOException {
        CliRun run = CliRun.of(
                "encode",
                "--model",
                model.toString(),
                "--data",
                clean.toString(),
                "--out",
                out.toString(),
                "--batch-size",
                "64",
                "--no-progress");
        assertEquals(0, run.exitCode(), run.err());
        return Npy.read(out);
    }
}
