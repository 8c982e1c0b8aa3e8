package dev.saekit.onnx.splice;

import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A saekit model behind {@link RowAutoencoder}: centred and scaled on the way in, back on the way out. */
final class ModelRows implements RowAutoencoder {
    private final SparseAutoencoder model;
    private final INDArray shift;
    private final double scale;

    ModelRows(SparseAutoencoder model, INDArray mean, double scale) {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be a finite number > 0, was " + scale);
        }
        if (mean != null && mean.length() != model.inputDim()) {
            throw new IllegalArgumentException(
                    "the mean row has " + mean.length() + " values but the model's input width is " + model.inputDim());
        }
        this.model = model.eval();
        this.shift = mean == null ? null : Tensors.copy(mean, model.dtype()).reshape(1, model.inputDim());
        this.scale = scale;
    }

    @Override
    public int width() {
        return model.inputDim();
    }

    @Override
    public int latents() {
        return model.nbConcepts();
    }

    @Override
    public Reconstruction reconstruct(INDArray rows) {
        Tensors.requireMatrix("rows", rows, model.inputDim());
        INDArray in = Tensors.copy(rows, model.dtype());
        if (shift != null) {
            in.subiRowVector(shift);
        }
        if (scale != 1.0) {
            in.muli(scale);
        }
        SaeOutput out = model.forward(in);
        INDArray back = Tensors.copy(out.reconstruction(), model.dtype());
        if (scale != 1.0) {
            back.divi(scale);
        }
        if (shift != null) {
            back.addiRowVector(shift);
        }
        return new Reconstruction(Tensors.copy(back, DType.FLOAT32), out.codes());
    }
}
