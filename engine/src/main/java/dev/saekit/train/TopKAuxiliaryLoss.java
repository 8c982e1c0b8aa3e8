package dev.saekit.train;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.TopK;
import dev.saekit.model.SaeOutput;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The auxiliary term of overcomplete's {@code top_k_auxiliary_loss}: with the residual
 * {@code e = x - x_hat} and the codes the sparsity dropped, {@code p = relu(z_pre) - z}, keep per row
 * the {@code concepts / 2} largest entries of {@code p} and ask them to explain the residual:
 * {@code penalty * mean((e - TopK(p) D)^2)}. Gradients flow everywhere, as in the reference (into
 * the reconstruction, the pre-codes, the codes and the dictionary). overcomplete's full loss is
 * {@code Losses.mse().plus(new TopKAuxiliaryLoss(0.1))}.
 *
 * <p>Not the AuxK loss of Gao et al. ({@link AuxKLoss}), which uses dead latents only.
 */
public record TopKAuxiliaryLoss(double penalty) implements Loss {

    public TopKAuxiliaryLoss {
        if (!(penalty >= 0) || !Double.isFinite(penalty)) {
            throw new IllegalArgumentException("penalty must be finite and >= 0, was " + penalty);
        }
    }

    @Override
    public LossSpec spec() {
        return new LossSpec.TopKAux(penalty);
    }

    @Override
    public boolean dataParallel() {
        return true;
    }

    @Override
    public double evaluate(INDArray x, SaeOutput out, INDArray d, LossGradients grads) {
        long rows = x.rows();
        int c = (int) out.codes().columns();
        int k = Math.max(1, c / 2);
        double n = (double) grads.batchRows() * x.columns();
        INDArray dropped = Ops.relu(out.preCodes(), grads.scratchCodes()).subi(out.codes());
        INDArray kept = TopK.perRow(dropped, k, grads.scratch("topk-aux-kept", rows, c));
        INDArray e = grads.scratchInputs().assign(x).subi(out.reconstruction());
        Nd4j.gemm(kept, d, e, false, false, -1.0, 1.0); // e = (x - x_hat) - TopK(p) D
        double norm = e.norm2Number().doubleValue();
        double loss = penalty * norm * norm / n;
        double s = 2.0 * penalty / n;
        // d/dx_hat = -s e; d/dTopK(p) = -s e D^T; d/dD = -s TopK(p)^T e
        Ops.axpy(-s, e, grads.reconstruction());
        INDArray gKept = grads.scratch("topk-aux-grad", rows, c);
        Nd4j.gemm(e, d, gKept, false, true, -s, 0.0);
        gKept.muli(Ops.nonZeroMask(kept, dropped)); // only selected entries carry gradient
        INDArray gPre = grads.preCodes();
        INDArray positive = Ops.positiveMask(out.preCodes(), dropped);
        gPre.addi(positive.muli(gKept));
        grads.codes().subi(gKept);
        Nd4j.gemm(kept, e, grads.dictionary(d), true, false, -s, 1.0);
        return loss;
    }
}
