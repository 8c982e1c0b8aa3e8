package dev.saekit.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;

/** Element-wise kernels that write into a given output array instead of allocating one. */
public final class Ops {
    private Ops() {}

    /** {@code out = max(in, 0)}; {@code out} may be {@code in}. */
    public static INDArray relu(INDArray in, INDArray out) {
        Nd4j.getExecutioner().exec(new RectifiedLinear(in, out, 0.0));
        return out;
    }

    /** {@code out = 1[in > 0]} as 0/1 values of the same dtype. */
    public static INDArray positiveMask(INDArray in, INDArray out) {
        Nd4j.getExecutioner().exec(new Step(in, out, 0.0));
        return out;
    }

    /** {@code out = sign(in)} in {-1, 0, 1}. */
    public static INDArray sign(INDArray in, INDArray out) {
        Nd4j.getExecutioner().exec(new Sign(in, out));
        return out;
    }

    /** {@code out = 1[in != 0]} as 0/1 values; {@code out} may be {@code in}. */
    public static INDArray nonZeroMask(INDArray in, INDArray out) {
        sign(in, out);
        return org.nd4j.linalg.ops.transforms.Transforms.abs(out, false);
    }

    /** {@code y += alpha * x} over all elements (both contiguous, same shape). */
    public static INDArray axpy(double alpha, INDArray x, INDArray y) {
        if (!RowKernels.axpy(alpha, x, y)) {
            Nd4j.getBlasWrapper().level1().axpy(x.length(), alpha, x, y);
        }
        return y;
    }

    /**
     * {@code out = grad * 1[pre > 0]}: the ReLU backward pass; {@code out} may be {@code grad}. One
     * fused pass over contiguous arrays of one type; other layouts go through a temporary mask.
     */
    public static INDArray reluBackward(INDArray pre, INDArray grad, INDArray out) {
        if (RowKernels.reluBackward(pre, grad, out)) {
            return out;
        }
        INDArray mask = positiveMask(pre, pre.ulike());
        if (out != grad) {
            out.assign(grad);
        }
        return out.muli(mask);
    }

    /**
     * The gradient reaching a ReLU encoder's pre-activations: {@code gradCodes * 1[pre > 0]} plus
     * {@code gradPre}, written into {@code out} (either input may be null); null when both are.
     */
    public static INDArray preActivationGradient(INDArray pre, INDArray gradCodes, INDArray gradPre, INDArray out) {
        if (gradCodes != null) {
            reluBackward(pre, gradCodes, out);
            return gradPre == null ? out : out.addi(gradPre);
        }
        return gradPre == null ? null : out.assign(gradPre);
    }
}
