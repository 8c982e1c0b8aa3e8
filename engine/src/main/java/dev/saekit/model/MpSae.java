package dev.saekit.model;

import dev.saekit.encoder.Codes;
import dev.saekit.kernel.RowKernels;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.SeededRandom;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matching-pursuit SAE: {@code k} greedy steps per input. Start with {@code r = x}, {@code z = 0};
 * each step computes {@code c = r D^T}, picks {@code j = argmax c} (signed, ties to the lowest
 * index), adds {@code c_j} to {@code z_j} and removes {@code c_j D_j} from {@code r}. Atoms can be
 * picked more than once. Pre-codes are the final residual; {@code x_hat = z D} with the full
 * dictionary, fetched again for decoding (two fetches per forward, as the reference).
 *
 * <p>Gradients flow through the unrolled loop (the selection itself is not differentiated). An
 * optional atom dropout, drawn once per forward and only in training, masks whole atoms without
 * rescaling; unlike the reference, {@code eval()} does not switch it off for good: {@code train()}
 * brings it back.
 *
 * <p>The pursuit uses the dictionary, never the encoder module; {@link #tied} and {@link #untied}
 * replace the encoder module exactly as the reference does.
 *
 * <p>Paper: Mallat and Zhang (1993), "Matching pursuits with time-frequency dictionaries"; as an SAE,
 * Costa et al. (2025), "From Flat to Hierarchical: Extracting Sparse Representations with Matching
 * Pursuit"; reference: overcomplete's {@code MpSAE}.
 */
public final class MpSae extends SparseAutoencoder {
    private final int k;
    private final Double dropout;
    private final DropoutMask dropoutMask;
    private final Buffers steps;
    private final List<int[]> picked = new ArrayList<>();
    private final List<double[]> values = new ArrayList<>();
    private INDArray usedAtoms;
    private INDArray dropMask;
    private INDArray encodeD;

    MpSae(ModelSpec spec, MpSpec settings, ModelParts parts) {
        super(spec, parts);
        this.k = settings.k();
        this.dropout = settings.dropout();
        SaeConfig config = spec.sae();
        this.dropoutMask = dropout == null
                ? null
                : new DropoutMask(
                        dropout, new SeededRandom(config.seed()).derive(0xD5).seed());
        this.steps = new Buffers(config.dtype());
    }

    public int k() {
        return k;
    }

    /** The atom dropout probability, or null. */
    public Double dropout() {
        return dropout;
    }

    /** The dropout generator's state, when dropout is on. */
    @Override
    protected java.util.List<dev.saekit.tensor.Parameter> ownParameters() {
        return dropoutMask == null ? java.util.List.of() : java.util.List.of(dropoutMask.state());
    }

    @Override
    protected Codes sparsify(INDArray x, Codes encoded) {
        int rows = (int) x.rows();
        int c = nbConcepts();
        // a copy: later fetches (the decode, the trainer's fetch for the loss) reuse the dictionary's arrays
        encodeD = steps.get("encode-atoms", c, inputDim()).assign(dictionary.get());
        usedAtoms = encodeD;
        dropMask = null;
        if (dropout != null && dropout > 0 && isTraining()) {
            dropMask = dropoutMask.draw(c, dtype());
            usedAtoms = steps.get("masked-atoms", c, inputDim()).assign(encodeD).muliColumnVector(dropMask);
        }
        INDArray codes = buffers.get("mp-codes", rows, c).assign(0);
        INDArray scores = steps.get("scores", rows, c);
        picked.clear();
        values.clear();
        INDArray r = steps.get("residual0", rows, inputDim()).assign(x);
        for (int s = 0; s < k; s++) {
            Nd4j.gemm(r, usedAtoms, scores, false, true, 1.0, 0.0);
            int[] idx = new int[rows];
            double[] val = new double[rows];
            RowKernels.argmax(scores, idx, val);
            RowKernels.scatterAdd(codes, idx, val);
            INDArray next = steps.get("residual" + (s + 1), rows, inputDim()).assign(r);
            double[] neg = new double[rows];
            for (int b = 0; b < rows; b++) {
                neg[b] = -val[b];
            }
            RowKernels.addScaledRows(next, usedAtoms, idx, neg);
            picked.add(idx);
            values.add(val);
            r = next;
        }
        return new Codes(r, codes);
    }

    @Override
    protected void sparsifyBackward(INDArray gradCodes, INDArray gradPreCodes) {
        int rows = (int) gradCodes.rows();
        INDArray gradR = steps.get("grad-residual", rows, inputDim());
        if (gradPreCodes != null) {
            gradR.assign(gradPreCodes);
        } else {
            gradR.assign(0);
        }
        INDArray gradAtoms = steps.get("grad-atoms", nbConcepts(), inputDim()).assign(0);
        double[] gz = new double[rows];
        double[] gv = new double[rows];
        double[] dot = new double[rows];
        double[] negV = new double[rows];
        for (int s = k - 1; s >= 0; s--) {
            int[] idx = picked.get(s);
            double[] v = values.get(s);
            INDArray rs = steps.get("residual" + s, rows, inputDim());
            RowKernels.gather(gradCodes, idx, gz);
            RowKernels.dotWithRows(gradR, usedAtoms, idx, dot);
            for (int b = 0; b < rows; b++) {
                gv[b] = gz[b] - dot[b];
                negV[b] = -v[b];
            }
            // dL/dW[j] += gv * r_s - v * dL/dr_{s+1}, then dL/dr_s = dL/dr_{s+1} + gv * W[j]
            RowKernels.accumulateAtomRows(gradAtoms, idx, gv, rs, negV, gradR);
            RowKernels.addScaledRows(gradR, usedAtoms, idx, gv);
        }
        if (dropMask != null) {
            gradAtoms.muliColumnVector(dropMask);
        }
        dictionary.backward(gradAtoms, encodeD);
    }

    @Override
    protected String settings() {
        return ", k=" + k + (dropout != null ? ", dropout=" + dropout : "");
    }
}
