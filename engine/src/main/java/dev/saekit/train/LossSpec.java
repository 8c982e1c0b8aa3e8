package dev.saekit.train;

import dev.saekit.train.listeners.DeadCodeTracker;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a loss is, as data: one record per kind of term, plus {@link Weighted} and {@link Sum}. Every
 * {@link Loss} gives its spec ({@link Loss#spec()}) and {@link #build()} makes an equal loss again, so
 * a checkpoint keeps every term's settings (AuxK's {@code kAux}, flavour and dead-code window,
 * Matryoshka's level loss and weighting) and a run resumes from the checkpoint alone. A term's
 * running state (AuxK's dead-code window) is not part of the spec: checkpoints keep it as a listener
 * state.
 *
 * <p>The records validate their settings like the losses they describe, so a spec read from JSON
 * that would not build is refused where it is read.
 */
public sealed interface LossSpec {

    /** A fresh loss of this spec (a term with running state starts with none). */
    Loss build();

    /** A short human-readable name, {@code mse+0.5*auxk}: for logs, never parsed. */
    String label();

    /** {@link Losses#mse()}. */
    record Mse() implements LossSpec {
        @Override
        public Loss build() {
            return Losses.mse();
        }

        @Override
        public String label() {
            return "mse";
        }
    }

    /** {@link Losses#l1(double)}. */
    record L1(double lambda) implements LossSpec {
        public L1 {
            requireNonNegative("l1 lambda", lambda);
        }

        @Override
        public Loss build() {
            return Losses.l1(lambda);
        }

        @Override
        public String label() {
            return "l1";
        }
    }

    /** {@link Losses#mseL1(double)}. */
    record MseL1(double lambda) implements LossSpec {
        public MseL1 {
            requireNonNegative("mse_l1 lambda", lambda);
        }

        @Override
        public Loss build() {
            return Losses.mseL1(lambda);
        }

        @Override
        public String label() {
            return "mse_l1";
        }
    }

    /** {@link TopKAuxiliaryLoss}. */
    record TopKAux(double penalty) implements LossSpec {
        public TopKAux {
            requireNonNegative("topk_aux penalty", penalty);
        }

        @Override
        public Loss build() {
            return new TopKAuxiliaryLoss(penalty);
        }

        @Override
        public String label() {
            return "topk_aux";
        }
    }

    /**
     * {@link AuxKLoss} with a dead-code tracker of its own, whose state is saved under
     * {@link DeadCodeTracker#AUXK_STATE}.
     *
     * @param kAux        latents per row that explain the residual; 0 means half the input width
     * @param coefficient the weight of the term
     * @param windowSteps the tracker's window: dead = silent for this many steps (0: one epoch)
     */
    record AuxK(int kAux, double coefficient, AuxKLoss.Flavor flavor, long windowSteps) implements LossSpec {
        public AuxK {
            if (kAux < 0) {
                throw new IllegalArgumentException("auxk kAux must be >= 0 (0 = half the input width), was " + kAux);
            }
            requireNonNegative("auxk coefficient", coefficient);
            if (flavor == null) {
                throw new IllegalArgumentException("auxk flavor is required: SAELENS or SPARSIFY");
            }
            if (windowSteps < 0) {
                throw new IllegalArgumentException("auxk windowSteps must be >= 0 (0 = one epoch), was " + windowSteps);
            }
        }

        @Override
        public Loss build() {
            return new AuxKLoss(
                    new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, windowSteps), kAux, coefficient, flavor);
        }

        @Override
        public String label() {
            return flavor.label();
        }
    }

    /** {@link CoderLosses.Fvu}: sparsify's fraction of variance unexplained. */
    record Fvu() implements LossSpec {
        @Override
        public Loss build() {
            return new CoderLosses.Fvu();
        }

        @Override
        public String label() {
            return "fvu";
        }
    }

    /** {@link CoderLosses.LayerL2}: the crosscoder paper's per-layer Euclidean error. */
    record LayerL2(int layers) implements LossSpec {
        public LayerL2 {
            if (layers < 1) {
                throw new IllegalArgumentException("layer_l2 layers must be >= 1, was " + layers);
            }
        }

        @Override
        public Loss build() {
            return new CoderLosses.LayerL2(layers);
        }

        @Override
        public String label() {
            return "layer_l2";
        }
    }

    /** {@link CoderLosses.WeightedL1}: the L1 penalty weighted by decoder norms. */
    record WeightedL1(double lambda, int layers, dev.saekit.model.CodeNormalization normalization) implements LossSpec {
        public WeightedL1 {
            requireNonNegative("weighted_l1 lambda", lambda);
            if (layers < 1) {
                throw new IllegalArgumentException("weighted_l1 layers must be >= 1, was " + layers);
            }
            if (normalization == null) {
                throw new IllegalArgumentException("weighted_l1 needs a code normalization: crosscoder, sae or none");
            }
        }

        @Override
        public Loss build() {
            return new CoderLosses.WeightedL1(lambda, layers, normalization);
        }

        @Override
        public String label() {
            return "weighted_l1";
        }
    }

    /** {@link DictionaryLearningAuxKLoss}, with a counter of its own saved under {@link DictionaryLearningAuxKLoss#STATE}. */
    record AuxKDictionaryLearning(
            double coefficient, int kAux, long deadTokens, int layers, dev.saekit.model.CodeNormalization normalization)
            implements LossSpec {
        public AuxKDictionaryLearning {
            requireNonNegative("auxk_dl coefficient", coefficient);
            if (kAux < 0 || deadTokens < 1 || layers < 1 || normalization == null) {
                throw new IllegalArgumentException("auxk_dl needs kAux >= 0, deadTokens >= 1, layers >= 1 and a code "
                        + "normalization; was kAux=" + kAux + ", deadTokens=" + deadTokens + ", layers=" + layers
                        + ", normalization=" + normalization);
            }
        }

        @Override
        public Loss build() {
            return new DictionaryLearningAuxKLoss(coefficient, kAux, deadTokens, layers, normalization);
        }

        @Override
        public String label() {
            return "auxk_dl";
        }
    }

    /** {@link ReanimationLoss}. */
    record Reanimation(double penalty) implements LossSpec {
        public Reanimation {
            requireNonNegative("reanimation penalty", penalty);
        }

        @Override
        public Loss build() {
            return new ReanimationLoss(penalty);
        }

        @Override
        public String label() {
            return "reanimation";
        }
    }

    /** {@link MatchingPursuitReviveLoss}. */
    record MpRevive(double coefficient, double threshold, int minDead) implements LossSpec {
        public MpRevive {
            requireNonNegative("mp_revive coefficient", coefficient);
            if (minDead < 0) {
                throw new IllegalArgumentException("mp_revive minDead must be >= 0, was " + minDead);
            }
        }

        @Override
        public Loss build() {
            return new MatchingPursuitReviveLoss(coefficient, threshold, minDead);
        }

        @Override
        public String label() {
            return "mp_revive";
        }
    }

    /**
     * {@link MatryoshkaLoss}: the level loss and how the levels are weighted; {@code weights} holds
     * the given weights for {@link Weighting#GIVEN} and is empty otherwise.
     */
    record Matryoshka(MatryoshkaLoss.Kind kind, Weighting weighting, List<Double> weights) implements LossSpec {
        /** How a Matryoshka loss weights its levels. */
        public enum Weighting {
            /** Equal weights ("UW"). */
            UNIFORM,
            /** {@code [L, ..., 1]} ("RW"): the largest weight on the smallest level. */
            REVERSE,
            /** One given weight per level. */
            GIVEN;

            /** {@code uniform}, {@code reverse} or {@code given}: the JSON name. */
            public String label() {
                return name().toLowerCase(Locale.ROOT);
            }
        }

        public Matryoshka {
            if (kind == null || weighting == null) {
                throw new IllegalArgumentException(
                        "matryoshka kind and weighting are required, got kind=" + kind + ", weighting=" + weighting);
            }
            weights = weights == null ? List.of() : List.copyOf(weights);
            if ((weighting == Weighting.GIVEN) == weights.isEmpty()) {
                throw new IllegalArgumentException(
                        "matryoshka weights are given exactly when the weighting is GIVEN, was " + weighting + " with "
                                + weights);
            }
        }

        @Override
        public Loss build() {
            return switch (weighting) {
                case UNIFORM -> MatryoshkaLoss.uniform(kind);
                case REVERSE -> MatryoshkaLoss.reverseWeighted(kind);
                case GIVEN -> MatryoshkaLoss.weighted(weights, kind);
            };
        }

        @Override
        public String label() {
            return "matryoshka_" + kind.name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code weight * term} ({@link Loss#times}). */
    record Weighted(LossSpec term, double weight) implements LossSpec {
        public Weighted {
            if (term == null) {
                throw new IllegalArgumentException("the weighted loss term is null");
            }
            requireNonNegative("loss weight", weight);
        }

        @Override
        public Loss build() {
            return term.build().times(weight);
        }

        @Override
        public String label() {
            return weight + "*" + (term instanceof Sum ? "(" + term.label() + ")" : term.label());
        }
    }

    /**
     * The terms added in order ({@link Loss#plus}): {@code a.plus(b).plus(c)} is one sum of three
     * terms, {@code a.plus(b.plus(c))} a sum of {@code a} and a sum, so a rebuilt loss adds its values
     * and gradients in the same order, bit for bit. A sum as the first term is spliced in, as
     * {@link Loss#plus} does.
     */
    record Sum(List<LossSpec> terms) implements LossSpec {
        public Sum {
            if (terms == null || terms.size() < 2 || terms.stream().anyMatch(java.util.Objects::isNull)) {
                throw new IllegalArgumentException("a loss sum needs two or more terms, was " + terms);
            }
            if (terms.get(0) instanceof Sum first) { // (a + b) + c is a + b + c, as Loss.plus makes it
                List<LossSpec> flat = new java.util.ArrayList<>(first.terms());
                flat.addAll(terms.subList(1, terms.size()));
                terms = flat;
            }
            terms = List.copyOf(terms);
        }

        @Override
        public Loss build() {
            Loss loss = terms.get(0).build();
            for (LossSpec t : terms.subList(1, terms.size())) {
                loss = loss.plus(t.build());
            }
            return loss;
        }

        @Override
        public String label() {
            return terms.stream()
                    .map(t -> t instanceof Sum ? "(" + t.label() + ")" : t.label())
                    .collect(Collectors.joining("+"));
        }
    }

    /**
     * A loss that is code, not data (a {@link Loss} written by the caller): it is recorded by name, and
     * a run that uses it cannot be rebuilt from a checkpoint alone.
     */
    record Custom(String name) implements LossSpec {
        public Custom {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a custom loss needs a name");
            }
        }

        @Override
        public Loss build() {
            throw new IllegalStateException("the loss '" + name + "' is code of the caller's, not data: build it again "
                    + "and pass a TrainingConfig with it to resume the run");
        }

        @Override
        public String label() {
            return name;
        }
    }

    private static void requireNonNegative(String field, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(field + " must be finite and >= 0, was " + v);
        }
    }
}
