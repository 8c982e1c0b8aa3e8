package dev.saekit.train;

import dev.saekit.data.Dataset;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How the trainer scales every input row before the model sees it: the model trains on {@code s x},
 * and {@link ScaleFolding#fold} later folds {@code s} into the weights so the saved model takes the
 * raw rows and gives raw-scale reconstructions.
 *
 * <ul>
 *   <li>{@link None}: {@code s = 1}.</li>
 *   <li>{@link Fixed}: a given {@code s}.</li>
 *   <li>{@link Estimated}: {@code s} from a seeded sample of the rows, for a {@link Target}:
 *       {@link Target#UNIT_MEAN_SQUARED_NORM} {@code s = 1 / sqrt(mean_i ||x_i||^2)}, so the scaled rows
 *       have mean squared norm 1 (dictionary_learning's norm factor); {@link Target#SQRT_WIDTH_MEAN_NORM}
 *       {@code s = sqrt(d) / mean_i ||x_i||}, so the scaled rows have mean norm {@code sqrt(d)}
 *       (SAELens' {@code expected_average_only_in}).</li>
 * </ul>
 * An estimated normalisation is resolved once, when a run starts ({@link #resolve}); the run's
 * config, which checkpoints record, then holds the factor, so a resumed run scales by the same one.
 */
public sealed interface InputNormalization {

    /** The factor {@code s} the inputs are multiplied by; throws for an estimate not yet resolved. */
    double factor();

    /** Whether {@link #factor()} is known. */
    default boolean resolved() {
        return true;
    }

    /** This normalisation with its factor known: an estimate computed over a seeded sample of {@code data}. */
    default InputNormalization resolve(Dataset data, long seed) {
        return this;
    }

    /** No scaling. */
    static InputNormalization none() {
        return new None();
    }

    /** Scaling by {@code factor}. */
    static InputNormalization fixed(double factor) {
        return new Fixed(factor);
    }

    /** A factor for {@code target} estimated from {@code sampleRows} rows when the run starts. */
    static InputNormalization estimated(Target target, int sampleRows) {
        return new Estimated(target, sampleRows, Double.NaN);
    }

    /** What an estimated factor aims for. */
    enum Target {
        /** {@code s = 1 / sqrt(mean ||x||^2)}: the scaled rows have mean squared norm 1. */
        UNIT_MEAN_SQUARED_NORM("unit"),
        /** {@code s = sqrt(d) / mean ||x||}: the scaled rows have mean norm sqrt(d). */
        SQRT_WIDTH_MEAN_NORM("sqrt_width");

        private final String label;

        Target(String label) {
            this.label = label;
        }

        /** The name in JSON and on the command line. */
        public String label() {
            return label;
        }

        /** The target named {@code name}; the error lists the accepted names. */
        public static Target parse(String name) {
            for (Target t : values()) {
                if (t.label.equals(name.toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new IllegalArgumentException(
                    "unknown normalisation target '" + name + "'; accepted: unit, sqrt_width");
        }

        /** The factor this target gives the rows of {@code sample [n, d]}. */
        public double factor(INDArray sample) {
            INDArray norms =
                    sample.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).norm2(1);
            double s = switch (this) {
                case UNIT_MEAN_SQUARED_NORM ->
                    1.0 / Math.sqrt(norms.mul(norms).meanNumber().doubleValue());
                case SQRT_WIDTH_MEAN_NORM ->
                    Math.sqrt(sample.columns()) / norms.meanNumber().doubleValue();
            };
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("the inputs' normalisation factor is " + s + " (the sample of "
                        + sample.rows() + " rows has norm 0 or overflows): train without normalisation, or give"
                        + " a factor");
            }
            return s;
        }
    }

    record None() implements InputNormalization {
        @Override
        public double factor() {
            return 1.0;
        }

        @Override
        public String toString() {
            return "none";
        }
    }

    record Fixed(double factor) implements InputNormalization {
        public Fixed {
            if (!(factor > 0) || !Double.isFinite(factor)) {
                throw new IllegalArgumentException("normalisation factor must be finite and > 0, was " + factor);
            }
        }

        @Override
        public String toString() {
            return "x" + factor;
        }
    }

    /**
     * @param target     what the factor aims for
     * @param sampleRows how many rows (a seeded sample) the estimate reads
     * @param estimate   the factor once resolved, NaN before
     */
    record Estimated(Target target, int sampleRows, double estimate) implements InputNormalization {
        public Estimated {
            if (target == null) {
                throw new IllegalArgumentException("normalisation target is required");
            }
            if (sampleRows < 1) {
                throw new IllegalArgumentException("normalisation sampleRows must be >= 1, was " + sampleRows);
            }
            if (!Double.isNaN(estimate) && (!(estimate > 0) || !Double.isFinite(estimate))) {
                throw new IllegalArgumentException(
                        "normalisation estimate must be finite and > 0 (or NaN before estimation), was " + estimate);
            }
        }

        @Override
        public boolean resolved() {
            return !Double.isNaN(estimate);
        }

        @Override
        public double factor() {
            if (!resolved()) {
                throw new IllegalStateException("the " + target.label() + " normalisation factor is estimated when "
                        + "training starts; resolve(data, seed) it first");
            }
            return estimate;
        }

        @Override
        public InputNormalization resolve(Dataset data, long seed) {
            if (resolved()) {
                return this;
            }
            return new Estimated(target, sampleRows, target.factor(data.sample(sampleRows, seed)));
        }

        @Override
        public String toString() {
            return target.label() + "(" + (resolved() ? "x" + estimate : "from " + sampleRows + " rows") + ")";
        }
    }
}
