package dev.saekit.dictionary;

import dev.saekit.kernel.RowKernels;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The built-in projections of dictionary atoms (rows), named as in overcomplete. */
public enum Normalization implements Normalizer {
    /** Each row divided by its l2 norm plus 1e-8: atoms on the unit sphere (the default). */
    L2("l2") {
        @Override
        public void projectInPlace(INDArray w) {
            if (!RowKernels.divideRowsByL2Norm(w, ROW_EPSILON)) { // every training step: one pass over the rows
                w.diviColumnVector(w.norm2(1).addi(ROW_EPSILON).reshape(w.rows(), 1));
            }
        }

        @Override
        public void projectInPlaceAndCopy(INDArray w, INDArray copy, double scale) {
            if (!RowKernels.divideRowsByL2Norm(w, ROW_EPSILON, copy, scale)) {
                super.projectInPlaceAndCopy(w, copy, scale);
            }
        }
    },
    /** All rows divided by the largest row l2 norm (no epsilon): atoms inside the unit ball. */
    MAX_L2("max_l2") {
        @Override
        public void projectInPlace(INDArray w) {
            w.divi(w.norm2(1).maxNumber());
        }
    },
    /** Each row divided by its l1 norm plus 1e-8. */
    L1("l1") {
        @Override
        public void projectInPlace(INDArray w) {
            w.diviColumnVector(w.norm1(1).addi(ROW_EPSILON).reshape(w.rows(), 1));
        }
    },
    /** All rows divided by the largest row l1 norm (no epsilon). */
    MAX_L1("max_l1") {
        @Override
        public void projectInPlace(INDArray w) {
            w.divi(w.norm1(1).maxNumber());
        }
    },
    /** No projection. */
    IDENTITY("identity") {
        @Override
        public void projectInPlace(INDArray w) {}
    };

    /** Added to each row norm by {@link #L2} and {@link #L1}, as the reference does. */
    public static final double ROW_EPSILON = 1e-8;

    private final String label;

    Normalization(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Parses a name such as {@code l2} or {@code max_l1}; the error lists the accepted names. */
    public static Normalization parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('-', '_');
        for (Normalization v : values()) {
            if (v.label.equals(n)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown dictionary normalization '" + name + "'; accepted: "
                + Arrays.stream(values()).map(Normalization::label).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return label;
    }
}
