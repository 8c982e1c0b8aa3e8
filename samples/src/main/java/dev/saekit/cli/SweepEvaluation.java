package dev.saekit.cli;

import dev.saekit.model.SparseAutoencoder;
import dev.saekit.onnx.splice.InModelReport;
import dev.saekit.onnx.splice.RowAutoencoder;
import dev.saekit.onnx.splice.SwappedRows;
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

/**
 * The downstream columns of {@code saekit sweep --model}: every cell's model spliced into the text
 * model at the tap ({@link TextEvaluation}) over one sample of documents, its rows centred and
 * scaled as the cell's training data were. The model, the spliced sessions and the documents are
 * opened once for the sweep; each cell only swaps the SAE behind the splice. The clean, zero- and
 * mean-ablated runs do not depend on the SAE: the first cell keeps them, and every later cell runs
 * the model once over the documents, the splice.
 */
final class SweepEvaluation implements DownstreamEvaluator, AutoCloseable {
    /** The columns it adds to the frontier, named as {@code saekit evaluate}'s JSON names them. */
    static final List<String> COLUMNS =
            List.of("fraction_recovered", "fraction_recovered_over_mean", "cosine_splice", "l2_ratio");

    private final TextModel model;
    private final SwappedRows rows;
    private final TextEvaluation evaluation;
    private final List<String> documents;

    private SweepEvaluation(TextModel model, SwappedRows rows, TextEvaluation evaluation, List<String> documents) {
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
        SwappedRows rows = new SwappedRows(width);
        TextEvaluation evaluation = TextEvaluation.builder(model, tap, rows)
                .batchSize(batch)
                .specialTokens(special)
                .threads(threads)
                .keepBaseline(true)
                .open();
        return new SweepEvaluation(model, rows, evaluation, List.copyOf(documents));
    }

    @Override
    public Map<String, Double> evaluate(SparseAutoencoder sae, Preprocessing preprocessing, SweepCell cell) {
        rows.set(RowAutoencoder.of(sae, preprocessing.mean(), preprocessing.scale()));
        InModelReport report;
        try {
            report = evaluation.run(documents);
        } finally {
            rows.set(null);
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
}
