package dev.saekit.encoder;

import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * BatchNorm over the batch for each feature, as torch's {@code nn.BatchNorm1d(n)}: training
 * normalises with the batch mean and biased variance and updates the running statistics with
 * momentum 0.1 (the running variance takes the unbiased batch variance); evaluation normalises
 * with the running statistics. Buffers: {@code running_mean}, {@code running_var},
 * {@code num_batches_tracked} (int64).
 */
final class BatchNormLayer implements NormLayer {
    static final double MOMENTUM = 0.1;

    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final Parameter batchesTracked;
    private final Buffers buffers;
    private final int n;
    private INDArray xhat;
    private INDArray rstd;
    private boolean lastTraining;

    BatchNormLayer(String prefix, int n, DType dtype) {
        this.n = n;
        this.weight = Parameter.trainable(prefix + ".weight", Tensors.ones(dtype, n));
        this.bias = Parameter.trainable(prefix + ".bias", Tensors.zeros(dtype, n));
        this.runningMean = Parameter.buffer(prefix + ".running_mean", Tensors.zeros(dtype, n));
        this.runningVar = Parameter.buffer(prefix + ".running_var", Tensors.ones(dtype, n));
        this.batchesTracked = Parameter.buffer(prefix + ".num_batches_tracked", Nd4j.scalar(DataType.LONG, 0L));
        this.buffers = new Buffers(dtype);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias, runningMean, runningVar, batchesTracked);
    }

    @Override
    public INDArray forward(INDArray in, boolean training) {
        long rows = in.rows();
        lastTraining = training;
        xhat = buffers.get("xhat", rows, n).assign(in);
        if (training) {
            if (rows < 2) {
                throw new IllegalArgumentException("BatchNorm needs more than one row per batch in training, got "
                        + rows + "; use a larger batch or a LayerNorm encoder (mlp_ln_*)");
            }
            INDArray mean = in.mean(0);
            xhat.subiRowVector(mean);
            INDArray var = Transforms.pow(xhat.norm2(0), 2, false).divi(rows);
            runningMean.value().muli(1 - MOMENTUM).addi(mean.mul(MOMENTUM));
            runningVar.value().muli(1 - MOMENTUM).addi(var.mul(MOMENTUM * rows / (rows - 1.0)));
            runningMean.markChanged();
            runningVar.markChanged();
            batchesTracked.value().addi(1);
            batchesTracked.markChanged();
            rstd = Transforms.sqrt(var.addi(EPS), false).rdivi(1.0);
        } else {
            xhat.subiRowVector(runningMean.value());
            rstd = Transforms.sqrt(runningVar.value().add(EPS), false).rdivi(1.0);
        }
        xhat.muliRowVector(rstd);
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
        if (!lastTraining) {
            return gIn.assign(gxhat).muliRowVector(rstd);
        }
        INDArray s1 = gxhat.sum(0).divi(rows);
        INDArray s2 = gIn.assign(gxhat).muli(xhat).sum(0).divi(rows);
        // gIn = rstd * (gxhat - mean_batch(gxhat) - xhat * mean_batch(gxhat * xhat))
        gIn.assign(xhat).muliRowVector(s2).rsubi(gxhat).subiRowVector(s1);
        return gIn.muliRowVector(rstd);
    }
}
