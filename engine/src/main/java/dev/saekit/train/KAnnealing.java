package dev.saekit.train;

import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSae;

/**
 * k annealing for the variants that keep the k largest codes (TopK, BatchTopK and the prefix
 * Matryoshka): dictionary_learning's TopK rule, where {@code start} is the input width. At the
 * 0-based step {@code t}, with {@code r = min(t, steps) / steps}, the model keeps
 * {@code floor(start (1 - r) + k r)} codes (per row, or per sample for BatchTopK), so k falls linearly
 * from {@code start} at step 0 to the spec's {@code k} at step {@code steps}, and stays there. The k
 * of a step depends on that step alone, so a resumed run anneals exactly as the uninterrupted one.
 *
 * @param start the k of the first step (at least the spec's k, at most the number of concepts)
 * @param steps how many steps k takes to reach the spec's k ({@code >= 1})
 */
public record KAnnealing(int start, long steps) {
    public KAnnealing {
        if (start < 1) {
            throw new IllegalArgumentException("k annealing start must be >= 1, was " + start);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("k annealing steps must be >= 1, was " + steps);
        }
    }

    /** The k of the 0-based {@code step} for a model whose own k is {@code k}. */
    public long k(long step, long k) {
        double r = (double) Math.min(step, steps) / steps;
        return (long) Math.floor(start * (1 - r) + k * r);
    }

    /** The spec's k of {@code model} (per row, per sample, or per batch). */
    static long targetK(SparseAutoencoder model) {
        if (model instanceof TopKSae t) {
            return t.k();
        }
        if (model instanceof BatchTopKSae b) {
            return b.k() instanceof BatchTopKSae.BatchK.PerSample p
                    ? p.k()
                    : ((BatchTopKSae.BatchK.PerBatch) b.k()).k();
        }
        throw new IllegalArgumentException("k annealing is for the variants that keep the k largest codes (topk, "
                + "batchtopk, matryoshka); this model is "
                + model.spec().variant().name());
    }

    /**
     * Refuses, naming the setting, annealing that this model cannot follow or that would not end
     * within the run's {@code totalSteps}.
     */
    public void check(SparseAutoencoder model, long totalSteps) {
        long k = targetK(model);
        long max = model instanceof TopKSae || ((BatchTopKSae) model).k() instanceof BatchTopKSae.BatchK.PerSample
                ? model.nbConcepts()
                : Long.MAX_VALUE;
        if (start < k || start > max) {
            throw new IllegalArgumentException("k annealing start must be in " + k + ".."
                    + (max == Long.MAX_VALUE ? "" : max) + " (the model's k"
                    + (max == Long.MAX_VALUE ? ")" : " to its " + "number of concepts)") + ", was " + start);
        }
        if (steps > totalSteps) {
            throw new IllegalArgumentException("k annealing steps (" + steps + ") must be at most the run's "
                    + totalSteps + " steps, or training ends before k reaches " + k);
        }
    }

    /** Sets the k {@code model} keeps at the 0-based {@code step}. */
    void apply(SparseAutoencoder model, long step) {
        long k = k(step, targetK(model));
        if (model instanceof TopKSae t) {
            t.setActiveK(Math.toIntExact(k));
        } else {
            ((BatchTopKSae) model).setActiveK(k);
        }
    }
}
