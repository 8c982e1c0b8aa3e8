package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code train} (on centred data, the default) → {@code export} → {@code import} → {@code encode}
 * gives the codes the trained model gives, for every format and every variant it takes: the data's
 * mean is folded into the exported weights, so the exported SAE takes raw inputs.
 */
class ExportRoundTripTest {
    private static final String WORDS = "src/main/resources/dev/saekit/samples/data/glove-100d.npy";

    @TempDir
    Path tmp;

    static Stream<Arguments> formatsAndVariants() {
        return Stream.of(
                Arguments.of("saelens", List.of("--variant", "vanilla"), List.of()),
                Arguments.of("saelens", List.of("--variant", "topk", "--k", "8"), List.of()),
                Arguments.of("saelens", List.of("--variant", "jumprelu"), List.of()),
                Arguments.of("saelens", List.of("--variant", "batchtopk", "--k", "8"), List.of()),
                Arguments.of("overcomplete", List.of("--variant", "vanilla"), List.of("--variant", "vanilla")),
                Arguments.of(
                        "overcomplete",
                        List.of("--variant", "topk", "--k", "8"),
                        List.of("--variant", "topk", "--k", "8")),
                Arguments.of("overcomplete", List.of("--variant", "jumprelu"), List.of("--variant", "jumprelu")),
                Arguments.of(
                        "overcomplete",
                        List.of("--variant", "vanilla", "--encoder", "mlp_ln_1"),
                        List.of("--variant", "vanilla", "--encoder", "mlp_ln_1")),
                // inputs scaled too: the scale goes into the encoder's weights (and SAELens's W_dec)
                Arguments.of("saelens", List.of("--variant", "topk", "--k", "8", "--scale", "auto"), List.of()),
                Arguments.of(
                        "overcomplete",
                        List.of("--variant", "topk", "--k", "8", "--scale", "0.05"),
                        List.of("--variant", "topk", "--k", "8")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("formatsAndVariants")
    void theImportedModelGivesTheTrainedModelsCodesOnRawInputs(
            String format, List<String> variant, List<String> importOptions) throws IOException {
        Path run = tmp.resolve("run");
        List<String> train = new ArrayList<>(List.of(
                "train",
                "--data",
                WORDS,
                "--concepts",
                "64",
                "--epochs",
                "1",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                run.toString()));
        train.addAll(variant);
        CliRun trained = CliRun.of(train.toArray(String[]::new));
        assertEquals(0, trained.exitCode(), trained.err());
        assertTrue(trained.out().contains("centred"), "trained on centred data: " + trained.out());

        Path exported = tmp.resolve(format.equals("saelens") ? "lens" : "state.safetensors");
        CliRun export = CliRun.of(
                "export", "--model", run.resolve("model").toString(), "--format", format, "--out", exported.toString());
        assertEquals(0, export.exitCode(), export.err());
        assertTrue(export.out().contains("folded"), export.out());
        List<String> imp = new ArrayList<>(List.of(
                "import",
                "--format",
                format,
                "--from",
                exported.toString(),
                "--out",
                tmp.resolve("back").toString()));
        imp.addAll(importOptions);
        CliRun imported = CliRun.of(imp.toArray(String[]::new));
        assertEquals(0, imported.exitCode(), imported.err());

        INDArray mine = encode(run.resolve("model"));
        INDArray theirs = encode(tmp.resolve("back"));
        assertArrayEquals(mine.shape(), theirs.shape());
        assertSameCodes(mine, theirs);
    }

    private INDArray encode(Path model) throws IOException {
        Path out = tmp.resolve("codes-" + model.getFileName() + ".npy");
        CliRun run = CliRun.of("encode", "--model", model.toString(), "--data", WORDS, "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        return Npy.read(out);
    }

    /**
     * The same codes up to float32 rounding: the folded bias is {@code b - W mu} computed once instead
     * of {@code (x - mu) W} per row, so values differ in their last bits, and a row whose k-th and
     * (k+1)-th codes (or a code and its threshold) are that close may keep another concept; such rows
     * must be rare, every other row must match to a few ulps of its largest code.
     */
    private static void assertSameCodes(INDArray a, INDArray b) {
        long rows = a.rows();
        int differentSupport = 0;
        double worst = 0;
        for (long r = 0; r < rows; r++) {
            double[] x = a.getRow(r).toDoubleVector();
            double[] y = b.getRow(r).toDoubleVector();
            boolean sameSupport = true;
            double scale = 0;
            for (int j = 0; j < x.length; j++) {
                sameSupport &= (x[j] != 0) == (y[j] != 0);
                scale = Math.max(scale, Math.abs(x[j]));
            }
            if (!sameSupport) {
                differentSupport++;
                continue;
            }
            for (int j = 0; j < x.length; j++) {
                worst = Math.max(worst, Math.abs(x[j] - y[j]) / Math.max(scale, Float.MIN_NORMAL));
            }
        }
        // float32 sums of 100 products: a few hundred ulps of the row's largest code at most
        assertTrue(worst < 512 * Math.ulp(1f), String.format(Locale.ROOT, "largest relative difference %.3g", worst));
        assertTrue(differentSupport <= rows / 1000, differentSupport + " of " + rows + " rows keep other concepts");
    }

    @org.junit.jupiter.api.Test
    void aMatchingPursuitTrainedOnCentredDataIsRefusedWithWhatToDo() {
        Path run = tmp.resolve("mp");
        CliRun trained = CliRun.of(
                "train",
                "--data",
                WORDS,
                "--variant",
                "mp",
                "--k",
                "2",
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
        CliRun export = CliRun.of(
                "export",
                "--model",
                run.resolve("model").toString(),
                "--format",
                "overcomplete",
                "--out",
                tmp.resolve("mp.safetensors").toString());
        assertEquals(SaekitCli.EXIT_INPUT, export.exitCode());
        assertEquals(1, export.errLines().size(), export.err());
        assertTrue(export.err().contains("--no-center"), export.err());
    }
}
