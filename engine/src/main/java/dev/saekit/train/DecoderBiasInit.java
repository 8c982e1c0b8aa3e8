package dev.saekit.train;

import dev.saekit.data.GeometricMedian;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where a fresh run's decoder bias starts, from a seeded sample of the (normalised) training rows:
 * as the model was built ({@link #ZERO}), at the sample's mean row ({@link #MEAN}), or at its
 * {@link GeometricMedian} ({@link #GEOMETRIC_MEDIAN}, as SAELens' {@code b_dec_init_method} and the
 * crosscoder trainers). Only for models with a decoder bias (the SAELens layout).
 */
public enum DecoderBiasInit {
    /** Keep the bias the model was built with (zero). */
    ZERO("zero"),
    /** The mean row of the sample. */
    MEAN("mean"),
    /** The geometric median of the sample's rows. */
    GEOMETRIC_MEDIAN("median");

    private final String label;

    DecoderBiasInit(String label) {
        this.label = label;
    }

    /** The name in JSON and on the command line. */
    public String label() {
        return label;
    }

    /** The init named {@code name} ({@code zero}, {@code mean}, {@code median}); the error lists them. */
    public static DecoderBiasInit parse(String name) {
        for (DecoderBiasInit v : values()) {
            if (v.label.equals(name.toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown decoder-bias init '" + name + "'; accepted: zero, mean, median");
    }

    /**
     * Refuses, naming the model, an init other than {@link #ZERO} for a model without decoder bias.
     *
     * @throws IllegalArgumentException when the model has no trainable decoder bias to initialise
     */
    public void check(SparseAutoencoder model) {
        if (this != ZERO && model.decoderBias() == null) {
            throw new IllegalArgumentException("decoder-bias init '" + label + "' needs a model with a decoder bias; "
                    + "this " + model.spec().variant().name() + " model ("
                    + model.getClass().getSimpleName()
                    + ") has none: use the SAELens layout, or centre the data instead");
        }
    }

    /**
     * Sets {@code model}'s decoder bias from {@code sample [n, rowWidth]} (nothing for {@link #ZERO}): from
     * the rows' target, for a transcoder; each layer's median on its own, for a crosscoder (as
     * dictionary_learning's crosscoder trainer does).
     */
    public void apply(SparseAutoencoder model, INDArray sample) {
        check(model);
        if (this == ZERO) {
            return;
        }
        Tensors.requireMatrix("decoder-bias sample", sample, model.rowWidth());
        INDArray rows = Tensors.copy(model.targetOf(Tensors.copy(sample, model.dtype())), model.dtype());
        INDArray value;
        if (this == MEAN) {
            value = rows.mean(0);
        } else if (model.coder() instanceof dev.saekit.model.CoderSpec.Crosscoder c) {
            int block = model.outputDim() / c.layers();
            value = Tensors.zeros(model.dtype(), model.outputDim());
            for (int l = 0; l < c.layers(); l++) {
                INDArray layer = rows.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval((long) l * block, (long) (l + 1) * block));
                value.get(org.nd4j.linalg.indexing.NDArrayIndex.interval((long) l * block, (long) (l + 1) * block))
                        .assign(GeometricMedian.of(layer).reshape(block));
            }
        } else {
            value = GeometricMedian.of(rows);
        }
        Parameter b = model.decoderBias();
        b.assign(value.reshape(model.outputDim()));
    }
}
