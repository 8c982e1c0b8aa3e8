package dev.saekit.onnx.splice;

import dev.saekit.model.SparseAutoencoder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An SAE as {@link InModelEvaluation} sees it: rows of the tapped tensor in, their reconstruction
 * (in the same units) and the codes out. {@link #of} wraps a saekit model with the centring and
 * scaling its training data went through.
 */
public interface RowAutoencoder {
    /** The width of the rows it takes. */
    int width();

    /** How many latents (concepts) its codes have. */
    int latents();

    /**
     * The reconstruction of {@code rows} ({@code [n, width()]}, float32) as float32 {@code [n,
     * width()]}, and the codes {@code [n, latents()]}; both may be reused by the next call.
     */
    Reconstruction reconstruct(INDArray rows);

    /** A reconstruction and the codes it came from. */
    record Reconstruction(INDArray rows, INDArray codes) {}

    /**
     * {@code model}, which was trained on rows {@code (x - mean) * scale}: a row {@code x} goes in
     * that way and the reconstruction comes back as {@code xHat / scale + mean}. {@code mean} is a
     * row of the model's input width, or null for none; {@code scale} is 1 for none.
     */
    static RowAutoencoder of(SparseAutoencoder model, INDArray mean, double scale) {
        return new ModelRows(model, mean, scale);
    }
}
