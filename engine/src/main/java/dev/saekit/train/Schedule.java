package dev.saekit.train;

import java.util.Locale;

/**
 * A learning-rate schedule: the factor applied to the base learning rate at each step. The
 * trainer steps it once per batch, like the reference's scheduler.
 */
public sealed interface Schedule {

    /** The factor at {@code step} (0-based) of {@code totalSteps}. */
    double factor(long step, long totalSteps);

    /** A constant learning rate. */
    static Schedule constant() {
        return new Constant();
    }

    /** Linear warm-up over the first {@code warmupFraction} of the steps, then a cosine decay to {@code minFactor}. */
    static Schedule cosine(double warmupFraction, double minFactor) {
        return new CosineWithWarmup(warmupFraction, minFactor);
    }

    /** Linear warm-up over the first {@code warmupFraction} of the steps, then a linear decay to {@code endFactor}. */
    static Schedule linearDecay(double warmupFraction, double endFactor) {
        return new LinearDecay(warmupFraction, endFactor);
    }

    /** {@code constant}, {@code cosine} or {@code linear}; the error lists the accepted names. */
    static Schedule parse(String name, double warmupFraction, double finalFactor) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "constant":
                return constant();
            case "cosine":
                return cosine(warmupFraction, finalFactor);
            case "linear":
                return linearDecay(warmupFraction, finalFactor);
            default:
                throw new IllegalArgumentException(
                        "unknown schedule '" + name + "'; accepted: constant, cosine, linear");
        }
    }

    /** The factor during warm-up: {@code (step + 1) / warmupSteps}. */
    private static double warmup(long step, long warmupSteps) {
        return (step + 1.0) / warmupSteps;
    }

    private static void checkFraction(String field, double v) {
        if (!(v >= 0 && v < 1)) {
            throw new IllegalArgumentException(field + " must be in [0, 1), was " + v);
        }
    }

    private static void checkFactor(String field, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(field + " must be in [0, 1], was " + v);
        }
    }

    record Constant() implements Schedule {
        @Override
        public double factor(long step, long totalSteps) {
            return 1.0;
        }

        @Override
        public String toString() {
            return "constant";
        }
    }

    record CosineWithWarmup(double warmupFraction, double minFactor) implements Schedule {
        public CosineWithWarmup {
            checkFraction("warmupFraction", warmupFraction);
            checkFactor("minFactor", minFactor);
        }

        @Override
        public double factor(long step, long totalSteps) {
            long warm = (long) Math.floor(warmupFraction * totalSteps);
            if (step < warm) {
                return warmup(step, warm);
            }
            long span = Math.max(1, totalSteps - warm);
            double progress = Math.min(1.0, (double) (step - warm) / span);
            return minFactor + (1 - minFactor) * 0.5 * (1 + Math.cos(Math.PI * progress));
        }

        @Override
        public String toString() {
            return "cosine(warmup=" + warmupFraction + ", min=" + minFactor + ")";
        }
    }

    record LinearDecay(double warmupFraction, double endFactor) implements Schedule {
        public LinearDecay {
            checkFraction("warmupFraction", warmupFraction);
            checkFactor("endFactor", endFactor);
        }

        @Override
        public double factor(long step, long totalSteps) {
            long warm = (long) Math.floor(warmupFraction * totalSteps);
            if (step < warm) {
                return warmup(step, warm);
            }
            long span = Math.max(1, totalSteps - warm);
            double progress = Math.min(1.0, (double) (step - warm) / span);
            return 1 - (1 - endFactor) * progress;
        }

        @Override
        public String toString() {
            return "linear(warmup=" + warmupFraction + ", end=" + endFactor + ")";
        }
    }
}
