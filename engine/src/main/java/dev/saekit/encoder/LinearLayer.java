package dev.saekit.encoder;

import dev.saekit.kernel.RowKernels;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code y = x W^T + b} with torch's layout ({@code W [out, in]}) and initialisation
 * (both drawn from U(-1/sqrt(in), 1/sqrt(in))).
 */
final class LinearLayer {
    final Parameter weight;
    final Parameter bias;
    private final Buffers buffers;
    private final int in;
    private final int out;

    LinearLayer(String prefix, int in, int out, DType dtype, SeededRandom rng) {
        this(
                prefix,
                rng.uniform(dtype, -1.0 / Math.sqrt(in), 1.0 / Math.sqrt(in), out, in),
                rng.uniform(dtype, -1.0 / Math.sqrt(in), 1.0 / Math.sqrt(in), out));
    }

    /** A layer holding {@code weight [out, in]} and, unless null, {@code bias [out]} (not copied). */
    LinearLayer(String prefix, INDArray weight, INDArray bias) {
        this.out = (int) weight.rows();
        this.in = (int) weight.columns();
        this.weight = Parameter.trainable(prefix + ".weight", weight);
        this.bias = bias == null ? null : Parameter.trainable(prefix + ".bias", bias);
        this.buffers = new Buffers(DType.of(weight.dataType()));
    }

    List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    /** {@code y = x W^T + b} into a reused {@code [batch, out]} array. */
    INDArray forward(INDArray x) {
        INDArray y = buffers.get("y", x.rows(), out);
        Nd4j.gemm(x, weight.value(), y, false, true, 1.0, 0.0);
        return bias == null ? y : y.addiRowVector(bias.value());
    }

    /** Weight and bias gradients of an output gradient that is non-zero only at {@code pattern}'s entries. */
    void backwardSparse(INDArray x, SparseCodes pattern, double[] gradOut) {
        if (weight.gradIsZero()) { // the step's first contribution: written, not added to zeros
            weight.recordGradRowSquares(pattern.setTransposedProductRowSquares(gradOut, x, weight.gradToOverwrite()));
        } else {
            double[] squares = weight.recordedGradRowSquares();
            if (squares != null) { // a later contribution keeps the record of the squares up to date
                pattern.addTransposedProductRowSquares(gradOut, x, weight.gradToAddKeepingRecord(), squares);
            } else {
                pattern.addTransposedProduct(gradOut, x, weight.grad());
            }
        }
        if (bias != null) {
            pattern.addConceptSums(gradOut, bias.grad());
        }
    }

    /**
     * Accumulates {@code dW += g^T x}, {@code db += sum(g)}; returns {@code dL/dx} when
     * {@code needInputGrad}, else null.
     */
    INDArray backward(INDArray x, INDArray gradOut, boolean needInputGrad) {
        boolean first = weight.gradIsZero(); // then written (beta 0), not added to zeros
        Nd4j.gemm(gradOut, x, weight.gradToOverwrite(), true, false, 1.0, first ? 0.0 : 1.0);
        if (bias != null) {
            RowKernels.addColumnSums(gradOut, bias.grad());
        }
        if (!needInputGrad) {
            return null;
        }
        INDArray gx = buffers.get("gx", gradOut.rows(), in);
        return Nd4j.gemm(gradOut, weight.value(), gx, false, false, 1.0, 0.0);
    }
}
