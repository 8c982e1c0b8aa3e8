package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Checkpoints;
import dev.saekit.io.Npy;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** {@code saekit encode}, {@code export} and {@code import} on a model that {@code train --out} saved. */
class ModelFilesCommandsTest {
    @TempDir
    Path tmp;

    private Path trained() {
        Path out = tmp.resolve("run");
        CliRun run = CliRun.of(
                "train",
                "--variant",
                "topk",
                "--k",
                "4",
                "--epochs",
                "1",
                "--concepts",
                "48",
                "--no-center",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                out.toString());
        assertEquals(0, run.exitCode(), run.err());
        return out.resolve("model");
    }

    private Path data(int width) throws IOException {
        Path file = tmp.resolve("x" + width + ".npy");
        Npy.write(file, new SeededRandom(5).normal(DType.FLOAT32, 0.5, 30, width));
        return file;
    }

    @Test
    void encodeWritesTheCodesOfEveryRow() throws IOException {
        Path model = trained();
        Path codes = tmp.resolve("codes.npy");
        CliRun run = CliRun.of(
                "encode", "--model", model.toString(), "--data", data(100).toString(), "--out", codes.toString());
        assertEquals(0, run.exitCode(), run.err());
        INDArray z = Npy.read(codes);
        assertArrayEquals(new long[] {30, 48}, z.shape());
        for (int r = 0; r < 30; r++) {
            assertTrue(z.getRow(r)
                            .scan(org.nd4j.linalg.indexing.conditions.Conditions.notEquals(0.0))
                            .intValue()
                    <= 4);
        }
    }

    @Test
    void aSaeLensExportImportsBackToTheSameCodes() throws IOException {
        Path model = trained();
        Path lens = tmp.resolve("lens");
        assertEquals(
                0,
                CliRun.of("export", "--model", model.toString(), "--format", "saelens", "--out", lens.toString())
                        .exitCode());
        assertTrue(Files.exists(lens.resolve("cfg.json")) && Files.exists(lens.resolve("sae_weights.safetensors")));
        Path back = tmp.resolve("back");
        CliRun imported =
                CliRun.of("import", "--format", "saelens", "--from", lens.toString(), "--out", back.toString());
        assertEquals(0, imported.exitCode(), imported.err());
        Path x = data(100);
        CliRun.of(
                "encode",
                "--model",
                model.toString(),
                "--data",
                x.toString(),
                "--out",
                tmp.resolve("a.npy").toString());
        CliRun.of(
                "encode",
                "--model",
                back.toString(),
                "--data",
                x.toString(),
                "--out",
                tmp.resolve("b.npy").toString());
        INDArray a = Npy.read(tmp.resolve("a.npy"));
        INDArray b = Npy.read(tmp.resolve("b.npy"));
        // the same weights in SAELens' layout (W_enc transposed): each kept code is a pre-code, the same
        // sum of products of the inputs in the model's dtype, maybe in another order
        SparseAutoencoder m = Checkpoints.load(model).model();
        INDArray w = m.encoder().parameters().get(0).value();
        INDArray bias = m.encoder().parameters().get(1).value();
        INDArray in = Npy.read(x).castTo(w.dataType());
        double magnitude = Transforms.abs(in, true)
                        .mmul(Transforms.abs(w, true).transpose())
                        .maxNumber()
                        .doubleValue()
                + bias.amaxNumber().doubleValue();
        double tolerance = 2 * (w.columns() + 1) * m.dtype().machineEpsilon() * magnitude;
        assertArrayEquals(a.shape(), b.shape());
        double largest = Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)), false)
                .maxNumber()
                .doubleValue();
        assertTrue(
                largest <= tolerance,
                "the same codes after a round trip through SAELens' format: largest difference " + largest
                        + ", allowed " + tolerance);
    }

    @Test
    void anOvercompleteStateDictImportsWithTheVariantGiven() throws IOException {
        Path model = trained();
        Path sd = tmp.resolve("sd.safetensors");
        assertEquals(
                0,
                CliRun.of("export", "--model", model.toString(), "--format", "overcomplete", "--out", sd.toString())
                        .exitCode());
        CliRun imported = CliRun.of(
                "import",
                "--format",
                "overcomplete",
                "--from",
                sd.toString(),
                "--variant",
                "topk",
                "--k",
                "4",
                "--out",
                tmp.resolve("oc").toString());
        assertEquals(0, imported.exitCode(), imported.err());
        assertTrue(imported.out().contains("variant=topk") && imported.out().contains("k=4"), imported.out());
    }

    @Test
    void aWrongWidthIsOneErrorLine() throws IOException {
        Path model = trained();
        CliRun run = CliRun.of(
                "encode",
                "--model",
                model.toString(),
                "--data",
                data(7).toString(),
                "--out",
                tmp.resolve("c.npy").toString());
        assertEquals(SaekitCli.EXIT_INPUT, run.exitCode());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().contains("width 7") && run.err().contains("width 100"), run.err());
        CliRun missing = CliRun.of(
                "encode",
                "--model",
                tmp.resolve("nothing").toString(),
                "--data",
                data(7).toString(),
                "--out",
                tmp.resolve("c.npy").toString());
        assertEquals(SaekitCli.EXIT_INPUT, missing.exitCode());
        assertEquals(1, missing.errLines().size(), missing.err());
    }
}
