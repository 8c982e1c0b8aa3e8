package dev.saekit.train;

import dev.saekit.model.SaeOutput;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Terms added in order, made by {@link Loss#plus}. A sum extended on the right stays one sum
 * ({@code a + b + c} adds {@code (a + b) + c}, as a chain of two-term sums would), so its
 * {@link LossSpec.Sum} lists the terms flat; a sum added as a right-hand term stays a term of its own.
 */
final class SumLoss implements Loss {
    private final List<Loss> terms;

    SumLoss(List<Loss> terms) {
        this.terms = List.copyOf(terms);
    }

    /** {@code left + right}: the terms of {@code left} when it is a sum, then {@code right}. */
    static SumLoss of(Loss left, Loss right) {
        if (left == null || right == null) {
            throw new IllegalArgumentException("a loss term is null: " + left + " + " + right);
        }
        List<Loss> all = new ArrayList<>(left instanceof SumLoss s ? s.terms : List.of(left));
        all.add(right);
        return new SumLoss(all);
    }

    @Override
    public LossSpec spec() {
        return new LossSpec.Sum(terms.stream().map(Loss::spec).toList());
    }

    @Override
    public Loss withSparsityFactor(double factor) {
        List<Loss> scaled =
                terms.stream().map(t -> t.withSparsityFactor(factor)).toList();
        for (int i = 0; i < scaled.size(); i++) {
            if (scaled.get(i) != terms.get(i)) {
                return new SumLoss(scaled);
            }
        }
        return this;
    }

    @Override
    public List<TrainingListener> listeners() {
        List<TrainingListener> all = new ArrayList<>();
        for (Loss t : terms) {
            t.listeners().stream().filter(l -> !all.contains(l)).forEach(all::add);
        }
        return List.copyOf(all);
    }

    @Override
    public boolean dataParallel() {
        return terms.stream().allMatch(Loss::dataParallel);
    }

    @Override
    public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
        double value = terms.get(0).evaluate(x, output, d, grads);
        for (int i = 1; i < terms.size(); i++) {
            value += terms.get(i).evaluate(x, output, d, grads);
        }
        return value;
    }

    @Override
    public String toString() {
        return terms.stream()
                .map(t -> t instanceof SumLoss ? "(" + t + ")" : t.toString())
                .collect(Collectors.joining(" + "));
    }
}
