package dev.saekit.model;

import dev.saekit.encoder.Codes;
import dev.saekit.kernel.PursuitSelection;
import dev.saekit.kernel.RowKernels;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.SeededRandom;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Orthogonal matching pursuit SAE: {@code k} steps; each picks, among atoms not yet chosen, the one
 * with the largest {@code r D^T}, then re-fits the codes of all chosen atoms by non-negative least
 * squares ({@code min |x - z_S D_S|^2, z_S >= 0}) with projected gradient: {@code Q = D_S D_S^T},
 * {@code P = D_S x}, per-sample step {@code 1 / (|Q|_F + 1e-8)},
 * {@code z <- max(0, z - step (Q z - P))}, warm-started (a new atom starts at 0), stopping when the
 * batch-wide gradient norm falls below {@code tol} or after {@code maxIter} iterations; then
 * {@code r = x - z D}. The encode carries no gradient: the dictionary learns through the decode.
 * Codes are non-negative. Optional atom dropout as in {@link MpSae}.
 *
 * <p>Paper: Pati, Rezaiifar and Krishnaprasad (1993), "Orthogonal matching pursuit: recursive function
 * approximation with applications to wavelet decomposition"; reference: overcomplete's {@code OMPSAE}.
 */
public final class OmpSae extends SparseAutoencoder {
    /** The reference's stopping tolerance on the batch-wide NNLS gradient norm. */
    public static final double TOLERANCE = 1e-5;

    private final int k;
    private final int maxIter;
    private final Double dropout;
    private final DropoutMask dropoutMask;
    private final Buffers steps;

    OmpSae(ModelSpec spec, OmpSpec settings, ModelParts parts) {
        super(spec, parts);
        this.k = settings.k();
        this.maxIter = settings.maxIter();
        this.dropout = settings.dropout();
        SaeConfig config = spec.sae();
        this.dropoutMask = dropout == null
                ? null
                : new DropoutMask(
                        dropout, new SeededRandom(config.seed()).derive(0x0B).seed());
        this.steps = new Buffers(config.dtype());
    }

    public int k() {
        return k;
    }

    public int maxIter() {
        return maxIter;
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
        int d = inputDim();
        INDArray atoms = steps.get("atoms", c, d).assign(dictionary.get());
        if (dropout != null && dropout > 0 && isTraining()) {
            atoms.muliColumnVector(dropoutMask.draw(c, dtype()));
        }
        INDArray codes = buffers.get("omp-codes", rows, c).assign(0);
        INDArray residual = buffers.get("omp-residual", rows, d).assign(x);
        INDArray scores = steps.get("scores", rows, c);
        int[][] selected = new int[rows][k];
        double[][] z = new double[rows][k];
        double[][] gram = new double[rows][k * k];
        double[][] proj = new double[rows][k];
        double[][] atomRows = new double[c][];
        int[] idx = new int[rows];
        double[] val = new double[rows];
        for (int s = 0; s < k; s++) {
            Nd4j.gemm(residual, atoms, scores, false, true, 1.0, 0.0);
            PursuitSelection.excludeSelected(scores, selected, s);
            RowKernels.argmax(scores, idx, val);
            final int size = s + 1;
            for (int b = 0; b < rows; b++) {
                selected[b][s] = idx[b];
                z[b][s] = 0.0;
                if (atomRows[idx[b]] == null) {
                    atomRows[idx[b]] = new double[d];
                    PursuitSelection.row(atoms, idx[b], atomRows[idx[b]]);
                }
            }
            double[] xRow = new double[d];
            for (int b = 0; b < rows; b++) {
                PursuitSelection.row(x, b, xRow);
                extendGram(gram[b], proj[b], selected[b], size, atomRows, xRow);
            }
            nnls(gram, proj, z, size, rows);
            for (int b = 0; b < rows; b++) {
                PursuitSelection.scatterRow(codes, b, selected[b], z[b], size);
            }
            residual.assign(x);
            Nd4j.gemm(codes, atoms, residual, false, false, -1.0, 1.0);
        }
        return new Codes(residual, codes);
    }

    /** Adds the newest atom's row and column to {@code Q = D_S D_S^T} (k x k, row-major) and its entry to {@code P}. */
    private static void extendGram(double[] q, double[] p, int[] sel, int size, double[][] atomRows, double[] x) {
        int n = size - 1;
        double[] a = atomRows[sel[n]];
        for (int i = 0; i <= n; i++) {
            double[] b = atomRows[sel[i]];
            double dot = 0;
            for (int j = 0; j < a.length; j++) {
                dot += a[j] * b[j];
            }
            q[n * p.length + i] = dot; // Q is p.length x p.length, row-major
            q[i * p.length + n] = dot;
        }
        double px = 0;
        for (int j = 0; j < a.length; j++) {
            px += a[j] * x[j];
        }
        p[n] = px;
    }

    /** Projected-gradient NNLS in lockstep over the batch, as the reference's batched solver. */
    private void nnls(double[][] q, double[][] p, double[][] z, int size, int rows) {
        int stride = p[0].length;
        double[] step = new double[rows];
        for (int b = 0; b < rows; b++) {
            double fro = 0;
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    double v = q[b][i * stride + j];
                    fro += v * v;
                }
            }
            step[b] = 1.0 / (Math.sqrt(fro) + 1e-8);
        }
        double[] gradSq = new double[rows];
        for (int it = 0; it < maxIter; it++) {
            IntStream.range(0, rows).parallel().forEach(b -> {
                double[] grad = new double[size];
                double sq = 0;
                for (int i = 0; i < size; i++) {
                    double g = -p[b][i];
                    for (int j = 0; j < size; j++) {
                        g += q[b][i * stride + j] * z[b][j];
                    }
                    grad[i] = g;
                    sq += g * g;
                }
                for (int i = 0; i < size; i++) {
                    z[b][i] = Math.max(0.0, z[b][i] - step[b] * grad[i]);
                }
                gradSq[b] = sq;
            });
            double total = 0;
            for (double v : gradSq) {
                total += v;
            }
            if (Math.sqrt(total) < TOLERANCE) {
                break;
            }
        }
    }

    /** No gradient flows through the pursuit: the dictionary learns through the decode only. */
    @Override
    protected void sparsifyBackward(INDArray gradCodes, INDArray gradPreCodes) {}

    @Override
    protected String settings() {
        return ", k=" + k + ", maxIter=" + maxIter + (dropout != null ? ", dropout=" + dropout : "");
    }
}
