package dev.saekit.onnx.splice;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The SAE behind a splice, swapped between evaluations: one spliced model (and one kept baseline,
 * {@link TextEvaluation.Builder#keepBaseline}) evaluates many SAEs of the same row width, as a
 * sweep's cells are.
 */
public final class SwappedRows implements RowAutoencoder {
    private final int width;
    private RowAutoencoder current;

    /** A slot for SAEs that read rows of {@code width}. */
    public SwappedRows(int width) {
        if (width <= 0) {
            throw new IllegalArgumentException("a row width must be > 0, was " + width);
        }
        this.width = width;
    }

    /** Puts {@code sae} behind the splice (null: none); its rows must have this slot's width. */
    public void set(RowAutoencoder sae) {
        if (sae != null && sae.width() != width) {
            throw new IllegalArgumentException(
                    "an SAE of rows of width " + sae.width() + " given to a splice of rows of width " + width);
        }
        this.current = sae;
    }

    private RowAutoencoder current() {
        return Objects.requireNonNull(current, "no SAE is behind the splice: set one first");
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int latents() {
        return current().latents();
    }

    @Override
    public Reconstruction reconstruct(INDArray rows) {
        return current().reconstruct(rows);
    }
}
