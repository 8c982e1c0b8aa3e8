package dev.saekit.dashboard;

import dev.saekit.model.SparseAutoencoder;
import dev.saekit.sweep.Preprocessing;
import dev.saekit.tensor.Buffers;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An SAE with the preprocessing its training data had (the centring mean and the scale saved with
 * it), turning raw rows into codes. The SAE is put in evaluation mode. The codes array is reused by
 * the next call.
 */
public final class Encoding {
    private final SparseAutoencoder sae;
    private final Preprocessing preprocessing;
    private final INDArray shift;
    private final Buffers buffers;

    public Encoding(SparseAutoencoder sae, Preprocessing preprocessing) {
        this.sae = sae;
        this.preprocessing = preprocessing == null ? Preprocessing.none() : preprocessing;
        INDArray mean = this.preprocessing.mean();
        if (mean != null && mean.length() != sae.inputDim()) {
            throw new IllegalArgumentException("the centring mean has " + mean.length() + " values but the SAE reads "
                    + sae.inputDim() + " per row");
        }
        this.shift = mean == null
                ? null
                : mean.reshape(1, sae.inputDim()).castTo(sae.dtype().nd4j()).dup('c');
        this.buffers = new Buffers(sae.dtype());
        sae.eval();
    }

    public SparseAutoencoder sae() {
        return sae;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** The codes {@code [rows, concepts]} of raw rows {@code [rows, input]}; reused by the next call. */
    public INDArray codes(INDArray raw) {
        if (raw.columns() != sae.inputDim()) {
            throw new IllegalArgumentException(
                    "rows of width " + raw.columns() + " given to an SAE that reads rows of width " + sae.inputDim());
        }
        INDArray in = buffers.get("in", raw.rows(), raw.columns()).assign(raw);
        if (shift != null) {
            in.subiRowVector(shift);
        }
        if (preprocessing.scale() != 1.0) {
            in.muli(preprocessing.scale());
        }
        return sae.forward(in).codes();
    }
}
