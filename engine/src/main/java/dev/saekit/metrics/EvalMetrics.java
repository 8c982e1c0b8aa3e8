package dev.saekit.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Metrics of a model over a whole data set (not an average of batch metrics).
 *
 * @param rows              rows evaluated
 * @param mse               {@code mean((x - xHat)^2)}
 * @param r2                overcomplete's r2 (scalar mean)
 * @param explainedVariance {@code 1 - fvu}
 * @param fvu               fraction of variance unexplained (per-dimension mean)
 * @param l0                mean count of codes with {@code |z| >= 1e-6} per sample
 * @param l0Fraction        fraction of non-zero codes
 * @param deadFraction      fraction of concepts never non-zero on the data set
 * @param hoyer             mean Hoyer sparsity of the code rows
 * @param kappa4            mean kappa-4 of the code rows
 * @param cosineSimilarity  mean cosine similarity of inputs and reconstructions
 */
public record EvalMetrics(
        long rows,
        double mse,
        double r2,
        double explainedVariance,
        double fvu,
        double l0,
        double l0Fraction,
        double deadFraction,
        double hoyer,
        double kappa4,
        double cosineSimilarity) {

    /** The metrics by their snake_case names, in a stable order (for JSON and tables). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", rows);
        m.put("mse", mse);
        m.put("r2", r2);
        m.put("explained_variance", explainedVariance);
        m.put("fvu", fvu);
        m.put("l0", l0);
        m.put("l0_fraction", l0Fraction);
        m.put("dead_fraction", deadFraction);
        m.put("hoyer", hoyer);
        m.put("kappa4", kappa4);
        m.put("cosine_similarity", cosineSimilarity);
        return m;
    }
}
