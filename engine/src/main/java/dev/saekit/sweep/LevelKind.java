package dev.saekit.sweep;

import dev.saekit.model.SaeConfig;
import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import java.util.Locale;

/** What a sparsity level sets: a count of codes ({@link #K}) or the L1 coefficient of the loss ({@link #L1}). */
public enum LevelKind {
    /**
     * Codes kept per row: the k of topk, batchtopk and matryoshka, the pursuit steps of mp and omp,
     * the largest nesting level of msae.
     */
    K("k"),
    /** The coefficient {@code lambda} of {@code mse_l1 = mse + lambda * sum(|z|)} over the batch: vanilla, JumpReLU. */
    L1("l1");

    private final String label;

    LevelKind(String label) {
        this.label = label;
    }

    /** {@code k} or {@code l1}: in tables, CSV files, cell names and JSON. */
    public String label() {
        return label;
    }

    /**
     * The kind of level {@code variant} is swept by: {@link #L1} for a variant whose sparsity comes
     * from the loss, {@link #K} for one with a k (or, for msae, nesting levels); an error for a
     * variant with neither.
     */
    public static LevelKind of(VariantKind variant) {
        VariantSpec defaults = variant.defaults().apply(SaeConfig.of(1, 64)); // a kind's defaults tell its nature
        if (defaults.sparsityFromLoss()) {
            return L1;
        }
        if (variant.reads("k") || variant.reads("nesting")) {
            return K;
        }
        throw new IllegalArgumentException(
                "variant " + variant.name() + " has neither a k nor a sparsity coefficient that a sweep could set");
    }

    /** The kind labelled {@code text} ({@code k} or {@code l1}); the error lists both. */
    public static LevelKind parse(String text) {
        for (LevelKind k : values()) {
            if (k.label.equals(text.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown sparsity level '" + text + "'; accepted: k, l1");
    }

    /** A level of this kind with {@code value}: a whole k, or a coefficient. */
    public SparsityLevel level(double value) {
        if (this == L1) {
            return new SparsityLevel.L1(value);
        }
        if (value != Math.rint(value) || value < 1 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a k level must be a whole number >= 1, was " + value);
        }
        return new SparsityLevel.K((int) value);
    }
}
