package dev.saekit.encoder;

import dev.saekit.tensor.Parameter;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A normalisation layer over the features of a {@code [batch, n]} activation. */
interface NormLayer {
    /** Numerical floor inside the square root, as torch's LayerNorm and BatchNorm1d use. */
    double EPS = 1e-5;

    INDArray forward(INDArray in, boolean training);

    /** Accumulates parameter gradients and returns {@code dL/din} for the latest forward. */
    INDArray backward(INDArray gradOut);

    List<Parameter> parameters();
}
