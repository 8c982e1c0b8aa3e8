package dev.saekit.sweep;

import java.math.BigDecimal;

/**
 * Where a cell of a sweep sits on the sparsity axis: a count of codes ({@link K}), which fixes the
 * cell's L0 up to dead or silent codes, or an L1 coefficient ({@link L1}), which does not: such a
 * cell is placed on the frontier at the L0 it measured and labelled with its coefficient.
 */
public sealed interface SparsityLevel {

    /** Whether this is a k or a coefficient. */
    LevelKind kind();

    /** The k, or the coefficient. */
    double value();

    /**
     * The value exactly, short: a plain decimal ({@code 16}, {@code 0.03}), or below 0.01 a
     * mantissa and exponent ({@code 3e-4}, {@code 1.5e-9}).
     */
    default String text() {
        BigDecimal exact = BigDecimal.valueOf(value()).stripTrailingZeros();
        if (value() == 0 || Math.abs(value()) >= 0.01) {
            return exact.toPlainString();
        }
        int exponent = exact.precision() - exact.scale() - 1;
        return exact.movePointRight(-exponent).stripTrailingZeros().toPlainString() + "e" + exponent;
    }

    /** {@code k=16}, {@code l1=3e-4}: in tables and on plots. */
    default String label() {
        return kind().label() + "=" + text();
    }

    /** A k level: {@code k} codes per row, at least 1 (at most the number of concepts, checked per cell). */
    record K(int k) implements SparsityLevel {
        public K {
            if (k < 1) {
                throw new IllegalArgumentException("a k level must be >= 1, was " + k);
            }
        }

        @Override
        public LevelKind kind() {
            return LevelKind.K;
        }

        @Override
        public double value() {
            return k;
        }
    }

    /** An L1 level: the coefficient of the L1 term, finite and >= 0 (0: no sparsity penalty at all). */
    record L1(double coefficient) implements SparsityLevel {
        public L1 {
            if (!(coefficient >= 0) || !Double.isFinite(coefficient)) {
                throw new IllegalArgumentException("an l1 level must be finite and >= 0, was " + coefficient);
            }
        }

        @Override
        public LevelKind kind() {
            return LevelKind.L1;
        }

        @Override
        public double value() {
            return coefficient;
        }
    }
}
