package dev.saekit.model;

import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a crosscoder weighs each latent by its decoder: {@code w_j} from the blocks
 * {@code D[j, l]} ({@code [layerDim]}) of atom {@code j}, one per layer. The L1 penalty of the
 * crosscoder paper is {@code sum_j |z_j| w_j}; the BatchTopK crosscoder selects codes by
 * {@code z_j w_j}. Names and formulas follow dictionary_learning's crosscoder code.
 */
public enum CodeNormalization {
    /** {@code w_j = sum_l ||D[j, l]||}: the crosscoder paper's weighting. */
    CROSSCODER,
    /** {@code w_j = ||D[j]||}: the norm of the whole atom, as an SAE over the concatenated row. */
    SAE,
    /** {@code w_j = 1}. */
    NONE;

    /** {@code crosscoder}, {@code sae} or {@code none}: the JSON and command-line name. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The normalisation named {@code name} (case-insensitive); the error lists the accepted names. */
    public static CodeNormalization parse(String name) {
        for (CodeNormalization n : values()) {
            if (n.label().equalsIgnoreCase(name)) {
                return n;
            }
        }
        throw new IllegalArgumentException(
                "unknown code normalization '" + name + "'; accepted: crosscoder, sae, none");
    }

    /**
     * The weights {@code w [concepts]} of dictionary {@code d [concepts, layers * layerDim]}, in its
     * dtype, and each block's norm {@code [concepts * layers]} (for {@link #backward}).
     */
    public Weights weights(INDArray d, int layers) {
        long concepts = d.rows();
        long block = d.columns() / layers;
        INDArray dc = d.isView() || d.ordering() != 'c' ? d.dup('c') : d;
        INDArray blockNorms = dc.reshape(concepts * layers, block).norm2(1);
        INDArray w = switch (this) {
            case CROSSCODER -> blockNorms.reshape(concepts, layers).sum(1);
            case SAE -> dc.norm2(1);
            case NONE -> Nd4j.ones(d.dataType(), concepts);
        };
        return new Weights(w, blockNorms);
    }

    /** The weights {@code w [concepts]} and the decoder's block norms {@code [concepts * layers]} they came from. */
    public record Weights(INDArray w, INDArray blockNorms) {}

    /**
     * Adds {@code dL/dD} into {@code gradD [concepts, layers * layerDim]} for a loss whose gradient
     * with respect to the weights is {@code gradW [concepts]}: {@code gradW_j D[j, l] / ||D[j, l]||}
     * for {@link #CROSSCODER}, {@code gradW_j D[j] / ||D[j]||} for {@link #SAE}, nothing for
     * {@link #NONE}. A zero block (or atom) gets no gradient, the subgradient torch's norm takes at zero.
     */
    public void backward(INDArray d, int layers, INDArray gradW, Weights weights, INDArray gradD) {
        if (this == NONE) {
            return;
        }
        long concepts = d.rows();
        long width = d.columns();
        INDArray dc = d.isView() || d.ordering() != 'c' ? d.dup('c') : d;
        if (this == CROSSCODER) {
            long block = width / layers;
            INDArray perBlock = Nd4j.tile(gradW.reshape(concepts, 1), 1, layers).reshape(concepts * layers);
            INDArray factor = safeDivide(perBlock, weights.blockNorms());
            INDArray g = dc.reshape(concepts * layers, block).mulColumnVector(factor.reshape(concepts * layers, 1));
            gradD.addi(g.reshape(concepts, width));
        } else {
            INDArray factor = safeDivide(gradW.dup(), weights.w());
            gradD.addi(dc.mulColumnVector(factor.reshape(concepts, 1)));
        }
    }

    /** {@code a / b} where {@code b > 0}, 0 where {@code b == 0}. */
    private static INDArray safeDivide(INDArray a, INDArray b) {
        INDArray out = a.castTo(b.dataType()).dup();
        INDArray positive = b.gt(0).castTo(b.dataType());
        INDArray safe = b.add(positive.rsub(1.0)); // 1 where b == 0
        return out.divi(safe).muli(positive);
    }
}
