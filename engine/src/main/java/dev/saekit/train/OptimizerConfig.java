package dev.saekit.train;

import java.util.Locale;

/**
 * Adam or AdamW and their hyper-parameters (torch's defaults: betas 0.9/0.999, eps 1e-8).
 *
 * @param kind         {@link Kind#ADAM} (weight decay added to the gradient) or {@link Kind#ADAMW} (decoupled)
 * @param learningRate base learning rate, scaled by the schedule
 * @param weightDecay  0 for none
 */
public record OptimizerConfig(
        Kind kind, double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {

    public enum Kind {
        ADAM,
        ADAMW;

        public static Kind parse(String name) {
            switch (name.toLowerCase(Locale.ROOT)) {
                case "adam":
                    return ADAM;
                case "adamw":
                    return ADAMW;
                default:
                    throw new IllegalArgumentException("unknown optimizer '" + name + "'; accepted: adam, adamw");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public OptimizerConfig {
        if (kind == null) {
            throw new IllegalArgumentException("optimizer kind is required");
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and > 0, was " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), was " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), was " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be > 0, was " + epsilon);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weightDecay must be finite and >= 0, was " + weightDecay);
        }
    }

    /** Adam with torch's defaults and no weight decay. */
    public static OptimizerConfig adam(double learningRate) {
        return new OptimizerConfig(Kind.ADAM, learningRate, 0.9, 0.999, 1e-8, 0.0);
    }

    /** AdamW with torch's defaults (weight decay 0.01). */
    public static OptimizerConfig adamW(double learningRate, double weightDecay) {
        return new OptimizerConfig(Kind.ADAMW, learningRate, 0.9, 0.999, 1e-8, weightDecay);
    }

    public OptimizerConfig withLearningRate(double lr) {
        return new OptimizerConfig(kind, lr, beta1, beta2, epsilon, weightDecay);
    }

    /** A fresh optimiser with no state. */
    public Optimizer create() {
        return new Adam(this);
    }
}
