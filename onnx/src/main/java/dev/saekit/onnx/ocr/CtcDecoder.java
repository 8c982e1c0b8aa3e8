package dev.saekit.onnx.ocr;

import dev.saekit.onnx.FloatTensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The recogniser's classes and greedy CTC decoding. Class 0 is the CTC blank, class {@code i}
 * (1..n) is line {@code i} of the keys file, and the last class is the space PaddleOCR appends
 * ({@code use_space_char}): 1 + 6,623 + 1 = 6,625 for {@code ppocr_keys_v1.txt}.
 */
public final class CtcDecoder {
    /** The label of a blank timestep. */
    public static final String BLANK = "<blank>";
    /** The label of a timestep that predicts a space. */
    public static final String SPACE = "<space>";

    private final List<String> classes;

    private CtcDecoder(List<String> classes) {
        this.classes = List.copyOf(classes);
    }

    /** The classes of {@code keys} (one character per line) for a model with {@code modelClasses} outputs per timestep. */
    public static CtcDecoder load(Path keys, int modelClasses) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(keys, StandardCharsets.UTF_8));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);
        }
        List<String> classes = new ArrayList<>();
        classes.add(""); // the blank: never printed
        classes.addAll(lines);
        classes.add(" ");
        if (classes.size() != modelClasses) {
            throw new IOException(keys + ": " + lines.size() + " characters + blank + space = " + classes.size()
                    + " classes, but the model has " + modelClasses + " per timestep");
        }
        return new CtcDecoder(classes);
    }

    public int classCount() {
        return classes.size();
    }

    /** The per-timestep argmax of {@code probs} ({@code [N, T, classes]}) for line {@code n}. */
    public int[] argmax(FloatTensor probs, int n) {
        int t = Math.toIntExact(probs.dim(1));
        int c = Math.toIntExact(probs.dim(2));
        if (c != classes.size()) {
            throw new IllegalArgumentException(
                    "probabilities " + probs.shapeText() + " have " + c + " classes, expected " + classes.size());
        }
        float[] p = probs.data();
        int[] best = new int[t];
        for (int step = 0; step < t; step++) {
            int base = (n * t + step) * c;
            int arg = 0;
            for (int k = 1; k < c; k++) {
                if (p[base + k] > p[base + arg]) {
                    arg = k;
                }
            }
            best[step] = arg;
        }
        return best;
    }

    /** The label of one timestep: its character, {@link #BLANK} or {@link #SPACE}. */
    public String label(int cls) {
        if (cls == 0) {
            return BLANK;
        }
        return cls == classes.size() - 1 ? SPACE : classes.get(cls);
    }

    /** Greedy CTC: repeated classes merged, then blanks dropped. */
    public String decode(int[] path) {
        StringBuilder sb = new StringBuilder();
        int previous = -1;
        for (int cls : path) {
            if (cls != previous && cls != 0) {
                sb.append(classes.get(cls));
            }
            previous = cls;
        }
        return sb.toString();
    }
}
