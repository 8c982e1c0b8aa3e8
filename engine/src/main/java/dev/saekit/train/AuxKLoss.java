package dev.saekit.train;

import dev.saekit.kernel.TopK;
import dev.saekit.model.SaeOutput;
import dev.saekit.tensor.Ops;
import dev.saekit.tensor.Tensors;
import dev.saekit.train.listeners.DeadCodeTracker;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The AuxK loss of Gao et al. (2024), as SAELens and sparsify use it: the DEAD latents (per the
 * given {@link DeadCodeTracker}) try to explain the residual. Per row, keep the {@code kAux} largest
 * {@code relu(z_pre)} among dead latents, decode them, and penalise
 * {@code coefficient * min(nDead / kAux, 1) * mean_rows(|e_hat - e|^2)} with the residual
 * {@code e = x - x_hat} taken as a constant. Zero while no latent is dead. Default {@code kAux} is
 * half the input width, default coefficient 1/32.
 */
public final class AuxKLoss implements Loss {
    private final DeadCodeTracker tracker;
    private final int kAux;
    private final double coefficient;

    /** @param kAux latents per row that may explain the residual; 0 means half the input width */
    public AuxKLoss(DeadCodeTracker tracker, int kAux, double coefficient) {
        if (tracker == null) {
            throw new IllegalArgumentException("AuxK needs the DeadCodeTracker that the trainer runs as a listener");
        }
        if (kAux < 0) {
            throw new IllegalArgumentException("kAux must be >= 0 (0 = half the input width), was " + kAux);
        }
        if (!(coefficient >= 0) || !Double.isFinite(coefficient)) {
            throw new IllegalArgumentException("coefficient must be finite and >= 0, was " + coefficient);
        }
        this.tracker = tracker;
        this.kAux = kAux;
        this.coefficient = coefficient;
    }

    /** kAux = input / 2, coefficient 1/32. */
    public AuxKLoss(DeadCodeTracker tracker) {
        this(tracker, 0, 1.0 / 32);
    }

    /** With a tracker of its own, which the trainer runs through {@link #listeners()}. */
    public AuxKLoss(int kAux, double coefficient) {
        this(new DeadCodeTracker(), kAux, coefficient);
    }

    /** The tracker whose dead mask this loss reads. */
    public DeadCodeTracker tracker() {
        return tracker;
    }

    @Override
    public java.util.List<TrainingListener> listeners() {
        return java.util.List.of(tracker);
    }

    @Override
    public String name() {
        return "auxk";
    }

    @Override
    public double evaluate(INDArray x, SaeOutput out, INDArray d, LossGradients grads) {
        boolean[] dead = tracker.deadMask();
        int nDead = 0;
        for (boolean b : dead) {
            nDead += b ? 1 : 0;
        }
        if (nDead == 0 || coefficient == 0) {
            return 0.0;
        }
        int c = (int) out.codes().columns();
        if (dead.length != c) {
            throw new IllegalStateException("the dead-code tracker follows " + dead.length + " concepts, the model has " + c);
        }
        int k = Math.min(kAux == 0 ? Math.max(1, (int) x.columns() / 2) : kAux, nDead);
        double[] mask = new double[c];
        for (int j = 0; j < c; j++) {
            mask[j] = dead[j] ? 1.0 : 0.0;
        }
        INDArray deadRow = Tensors.fromFlat(Tensors.dtypeOf(x), mask, c);
        INDArray candidates = Ops.relu(out.preCodes(), grads.scratchCodes()).muliRowVector(deadRow);
        INDArray kept = TopK.perRow(candidates, k, grads.scratch("auxk-kept", x.rows(), c));
        INDArray diff = grads.scratchInputs().assign(out.reconstruction()).subi(x); // -e
        Nd4j.gemm(kept, d, diff, false, false, 1.0, 1.0);                           // e_hat - e
        double scale = coefficient * Math.min((double) nDead / k, 1.0);
        double rows = x.rows();
        double norm = diff.norm2Number().doubleValue();
        double loss = scale * norm * norm / rows;
        double s = 2.0 * scale / rows;
        INDArray gKept = grads.scratch("auxk-grad", x.rows(), c);
        Nd4j.gemm(diff, d, gKept, false, true, s, 0.0);
        gKept.muli(Ops.nonZeroMask(kept, candidates));
        grads.preCodes().addi(gKept.muli(Ops.positiveMask(out.preCodes(), candidates)));
        Nd4j.gemm(kept, diff, grads.dictionary(d), true, false, s, 1.0);
        return loss;
    }

    @Override
    public String toString() {
        return "auxk(kAux=" + (kAux == 0 ? "input/2" : kAux) + ", coefficient=" + coefficient + ")";
    }
}
