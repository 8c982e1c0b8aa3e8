package dev.saekit.cli;

import dev.saekit.model.SparseAutoencoder;
import dev.saekit.onnx.splice.InModelReport;
import dev.saekit.onnx.splice.RowAutoencoder;
import dev.saekit.onnx.splice.TextEvaluation;
import dev.saekit.onnx.text.SpecialTokens;
import dev.saekit.onnx.text.TextModel;
import dev.saekit.onnx.text.TextTaps;
import dev.saekit.sweep.DownstreamEvaluator;
import dev.saekit.sweep.Preprocessing;
import dev.saekit.sweep.SweepCell;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The downstream columns of {@code saekit sweep --model}: every cell's model spliced into the text
 * model at the tap ({@link TextEvaluation}) over one sample of documents, its rows centred and
 * scaled as the cell's training data were. The model, the spliced sessions and the documents are
 * opened once for the sweep; each cell only swaps the SAE behind the splice. The clean, zero- and
 * mean-ablated runs do not depend on the SAE but {@link TextEvaluation#run} repeats them for every
 * cell: five passes of the model over the documents per cell, of which one is the splice.
 */
final class SweepEvaluation implements DownstreamEvaluator, AutoCloseable {
    /** The columns it adds to the frontier, named as {@code saekit evaluate}'s JSON names them. */
    static final List<String> COLUMNS =
            List.of("fraction_recovered", "fraction_recovered_over_mean", "cosine_splice", "l2_ratio");

    private final TextModel model;
    private final CellRows rows;
    private final TextEvaluation evaluation;
    private final List<String> documents;

    private SweepEvaluation(TextModel model, CellRows rows, TextEvaluation evaluation, List<String> documents) {
        this.model = model;
        this.rows = rows;
        this.evaluation = evaluation;
        this.documents = documents;
    }

    /**
     * The width of {@code tap}'s rows in {@code model}, from one clean run on {@code document}: what
     * the sweep's data must have before any cell is trained.
     */
    static int tapWidth(TextModel model, String tap, String document, int threads) throws IOException {
        try (TextTaps taps = model.taps(List.of(tap), threads)) {
            return taps.run(model.tokenizer().batch(List.of(document))).tap(tap).width();
        }
    }

    /**
     * An evaluation at {@code tap} of {@code model} (taken over: closed with this) of SAEs that read
     * rows of {@code width}, over {@code documents} (at least one), {@code batch} per run.
     */
    static SweepEvaluation open(
            TextModel model,
            String tap,
            int width,
            List<String> documents,
            SpecialTokens special,
            int batch,
            int threads)
            throws IOException {
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("no document to evaluate the cells on: give at least one");
        }
        CellRows rows = new CellRows(width);
        TextEvaluation evaluation = TextEvaluation.builder(model, tap, rows)
                .batchSize(batch)
                .specialTokens(special)
                .threads(threads)
                .open();
        return new SweepEvaluation(model, rows, evaluation, List.copyOf(documents));
    }

    @Override
    public Map<String, Double> evaluate(SparseAutoencoder sae, Preprocessing preprocessing, SweepCell cell) {
        rows.current = RowAutoencoder.of(sae, preprocessing.mean(), preprocessing.scale());
        InModelReport report;
        try {
            report = evaluation.run(documents);
        } finally {
            rows.current = null;
        }
        Map<String, Double> columns = new LinkedHashMap<>();
        columns.put(COLUMNS.get(0), report.fractionRecovered());
        columns.put(COLUMNS.get(1), report.fractionRecoveredOverMean());
        columns.put(COLUMNS.get(2), report.spliceCosine());
        columns.put(COLUMNS.get(3), report.l2Ratio());
        return columns;
    }

    /** Closes the spliced sessions and the text model. */
    @Override
    public void close() {
        try {
            evaluation.close();
        } finally {
            model.close();
        }
    }

    /** The splice's SAE: the model of the cell being evaluated, behind one fixed row width. */
    private static final class CellRows implements RowAutoencoder {
        private final int width;
        private RowAutoencoder current;

        CellRows(int width) {
            this.width = width;
        }

        private RowAutoencoder current() {
            return Objects.requireNonNull(current, "no cell is being evaluated");
        }

        @Override
        public int width() {
            return width;
        }

        @Override
        public int latents() {
            return current().latents();
        }

        @Override
        public Reconstruction reconstruct(INDArray rows) {
            return current().reconstruct(rows);
        }
    }
}
