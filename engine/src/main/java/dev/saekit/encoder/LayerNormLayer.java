package dev.saekit.encoder;

import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * LayerNorm over the features of each row: {@code y = (x - mean) / sqrt(var + 1e-5) * w + b},
 * biased variance, affine {@code w = 1, b = 0} at start (torch's {@code nn.LayerNorm(n)}).
 */
final class LayerNormLayer implements NormLayer {
    private final Parameter weight;
    private final Parameter bias;
    private final Buffers buffers;
    private final int n;
    private INDArray xhat;
    private INDArray rstd;

    LayerNormLayer(String prefix, int n, DType dtype) {
        this.n = n;
        this.weight = Parameter.trainable(prefix + ".weight", Tensors.ones(dtype, n));
        this.bias = Parameter.trainable(prefix + ".bias", Tensors.zeros(dtype, n));
        this.buffers = new Buffers(dtype);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public INDArray forward(INDArray in, boolean training) {
        long rows = in.rows();
        xhat = buffers.get("xhat", rows, n).assign(in);
        xhat.subiColumnVector(in.mean(1).reshape(rows, 1));
        INDArray norms = xhat.norm2(1);
        // rstd = 1 / sqrt(sum(xc^2) / n + eps)
        rstd = Transforms.pow(norms, 2, false).divi(n).addi(EPS);
        Transforms.sqrt(rstd, false).rdivi(1.0);
        xhat.muliColumnVector(rstd.reshape(rows, 1));
        INDArray y = buffers.get("y", rows, n).assign(xhat);
        return y.muliRowVector(weight.value()).addiRowVector(bias.value());
    }

    @Override
    public INDArray backward(INDArray gradOut) {
        long rows = gradOut.rows();
        INDArray t = buffers.get("t", rows, n);
        weight.grad().addi(t.assign(gradOut).muli(xhat).sum(0));
        bias.grad().addi(gradOut.sum(0));
        INDArray gxhat = t.assign(gradOut).muliRowVector(weight.value());
        INDArray gIn = buffers.get("gin", rows, n);
        INDArray s1 = gxhat.sum(1).divi(n).reshape(rows, 1);
        INDArray s2 = gIn.assign(gxhat).muli(xhat).sum(1).divi(n).reshape(rows, 1);
        // gIn = rstd * (gxhat - mean(gxhat) - xhat * mean(gxhat * xhat))
        gIn.assign(xhat).muliColumnVector(s2).rsubi(gxhat).subiColumnVector(s1);
        return gIn.muliColumnVector(rstd.reshape(rows, 1));
    }
}
