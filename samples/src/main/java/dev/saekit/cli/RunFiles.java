package dev.saekit.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.io.DataProvenance;
import dev.saekit.metrics.EvalMetrics;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code train --out DIR} writes: {@code metrics.json}, {@code history/steps.csv} and
 * {@code history/epochs.csv}, and the model under {@code model/} (see {@link ModelWriter}).
 */
final class RunFiles {
    private RunFiles() {}

    /** The final metrics as printed, in a fixed order. */
    static Map<String, String> metricsTable(EvalMetrics m, TrainingResult result) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("r2", f("%.4f", m.r2()));
        t.put("explained_variance", f("%.4f", m.explainedVariance()));
        t.put("fvu", f("%.4f", m.fvu()));
        t.put("mse", f("%.5g", m.mse()));
        t.put("l0", f("%.2f", m.l0()) + " active concepts per row");
        t.put("l0_fraction", f("%.4f", m.l0Fraction()));
        t.put("dead_fraction", f("%.4f", m.deadFraction()));
        t.put("cosine_similarity", f("%.4f", m.cosineSimilarity()));
        t.put("hoyer", f("%.4f", m.hoyer()));
        t.put("kappa4", f("%.4f", m.kappa4()));
        t.put("steps", Long.toString(result.steps()));
        t.put("seconds", f("%.1f", result.seconds()));
        return t;
    }

    /** The attachment of a checkpoint holding the mean row that was subtracted from the training data. */
    static final String MEAN_ATTACHMENT = "data_mean";

    /**
     * Writes a completed run: the model first, then the history, then {@code metrics.json}, each
     * file atomically, so a {@code metrics.json} that says "completed" always comes with its model
     * (a full disk or a kill leaves no such file behind a missing model).
     */
    static void write(
            Path dir,
            SparseAutoencoder model,
            EvalMetrics metrics,
            TrainingResult result,
            TrainingData data,
            DataProvenance provenance,
            TrainingConfig training,
            ObjectNode cli,
            dev.saekit.train.Optimizer optimizer,
            dev.saekit.train.TrainingProgress progress,
            String runId)
            throws IOException {
        ObjectNode json = common(result, data, ConfigJson.training(training));
        metrics.toMap().forEach((k, v) -> json.putPOJO(k, v));
        Files.createDirectories(dir);
        ModelWriter.write(
                dir.resolve("model"), model, training, cli, data.attachments(), optimizer, progress, provenance, runId);
        writeFiles(dir, json, result);
    }

    /** After a divergence: the history and the status, without metrics or model. */
    static void writeDiverged(Path dir, TrainingResult result, TrainingData data, ObjectNode training)
            throws IOException {
        ObjectNode json = common(result, data, training);
        json.put("message", result.message());
        writeFiles(dir, json, result);
    }

    private static ObjectNode common(TrainingResult result, TrainingData data, ObjectNode training) {
        ObjectNode json = ConfigJson.MAPPER.createObjectNode();
        json.put("status", result.status().name().toLowerCase(Locale.ROOT));
        json.put("steps", result.steps());
        json.put("seconds", result.seconds());
        json.put("epochs", result.history().epochs().size());
        ObjectNode d = json.putObject("data");
        d.put("description", data.describe());
        d.put("source", data.source());
        d.put("rows", data.dataset().rows());
        d.put("width", data.dataset().cols());
        d.put("centred", data.mean() != null);
        d.put("scale", data.scale());
        d.put("labelled", data.dataset().labels().isPresent());
        json.set("training", training);
        return json;
    }

    /** The history, then {@code metrics.json} last (both atomically). */
    private static void writeFiles(Path dir, ObjectNode json, TrainingResult result) throws IOException {
        Files.createDirectories(dir);
        Path history = dir.resolve("history");
        try {
            result.history().write(history);
        } catch (IOException e) {
            throw new IOException("could not write the history into " + history + ": " + e.getMessage(), e);
        }
        ConfigJson.write(dir.resolve("metrics.json"), json);
    }

    private static String f(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }
}
