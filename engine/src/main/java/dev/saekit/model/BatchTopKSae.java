package dev.saekit.model;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.kernel.TopK;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * BatchTopK SAE: the {@code k} largest codes of the WHOLE batch survive, not k per row. In training,
 * {@code t} is the k-th largest encoder code over the flattened batch and codes {@code >= t} are kept
 * (ties can keep more than k; the mask carries no gradient). Every training-mode forward updates
 * a running threshold {@code tau <- momentum * tau + (1 - momentum) * t} ({@code t} itself at the
 * first). Evaluation keeps codes {@code >= tau}; evaluating before any training forward is an
 * {@link IllegalStateException}. The running threshold is model state (buffer
 * {@code running_threshold}), saved with the weights.
 *
 * <p>k is either a total per batch (overcomplete's {@code top_k}) or per sample (SAELens and
 * dictionary_learning: {@code k * rows} per batch), see {@link BatchK}.
 *
 * <p>Paper: Bussmann, Leask and Nanda (2024), "BatchTopK Sparse Autoencoders"; reference: overcomplete's
 * {@code BatchTopKSAE}.
 */
public class BatchTopKSae extends SparseAutoencoder {
    public static final String RUNNING_THRESHOLD = "running_threshold";

    private final BatchK k;
    private BatchK activeK;
    private final double momentum;
    private final Parameter runningThreshold;
    private double lastThreshold = Double.NaN;

    /** How many codes a batch keeps. */
    public sealed interface BatchK {
        /** Codes kept in a batch of {@code rows} rows. */
        long total(long rows);

        /** {@code k} codes per batch whatever its size (overcomplete's {@code top_k}). */
        record PerBatch(long k) implements BatchK {
            public PerBatch {
                if (k < 1) {
                    throw new InvalidSettingException("batchtopk", "k", k, ">= 1 (per batch)");
                }
            }

            @Override
            public long total(long rows) {
                return k;
            }

            @Override
            public String toString() {
                return "k=" + k + " per batch";
            }
        }

        /** {@code k} codes per sample on average: {@code k * rows} per batch. */
        record PerSample(int k) implements BatchK {
            public PerSample {
                if (k < 1) {
                    throw new InvalidSettingException("batchtopk", "k", k, ">= 1 (per sample)");
                }
            }

            @Override
            public long total(long rows) {
                return Math.multiplyExact((long) k, rows);
            }

            @Override
            public String toString() {
                return "k=" + k + " per sample";
            }
        }
    }

    BatchTopKSae(ModelSpec spec, BatchK k, double momentum, ModelParts parts) {
        super(spec, parts);
        this.k = k;
        this.activeK = k;
        this.momentum = momentum;
        this.runningThreshold = Parameter.buffer(RUNNING_THRESHOLD, Tensors.scalar(config.dtype(), Double.NaN));
    }

    public BatchK k() {
        return k;
    }

    /** The codes kept now: {@link #k()} unless a trainer anneals it ({@link #setActiveK}). */
    public BatchK activeK() {
        return activeK;
    }

    /**
     * Keeps {@code k} codes (per sample or per batch, as {@link #k()}) from now on: a trainer's k
     * annealing. The spec's {@link #k()} is unchanged and is what a saved model records.
     */
    public void setActiveK(long k) {
        activeK =
                this.k instanceof BatchK.PerSample ? new BatchK.PerSample(Math.toIntExact(k)) : new BatchK.PerBatch(k);
    }

    public double momentum() {
        return momentum;
    }

    /** The running threshold, or NaN before the first training-mode forward. */
    public double runningThreshold() {
        return runningThreshold.value().getDouble(0);
    }

    /** The threshold the latest forward applied. */
    public double lastThreshold() {
        return lastThreshold;
    }

    @Override
    protected List<Parameter> ownParameters() {
        return List.of(runningThreshold);
    }

    @Override
    protected void selectFewCodes(INDArray codes, boolean relu, SparseCodes into) {
        double threshold;
        if (isTraining()) {
            long n = codes.length();
            threshold = TopK.keepLargest(codes, Math.min(activeK.total(codes.rows()), n), relu, into);
            double tau = runningThreshold();
            runningThreshold
                    .value()
                    .assign(Double.isNaN(tau) ? threshold : momentum * tau + (1 - momentum) * threshold);
            runningThreshold.markChanged();
        } else {
            threshold = runningThreshold();
            if (Double.isNaN(threshold)) {
                throw new IllegalStateException(
                        "BatchTopK has no running threshold yet: run at least one training-mode "
                                + "forward (or train) before eval(), or load weights that include '" + RUNNING_THRESHOLD
                                + "'");
            }
            TopK.atLeast(codes, threshold, relu, into);
        }
        lastThreshold = threshold;
    }

    @Override
    protected void sparsifyBackward(INDArray gradCodes, INDArray gradPreCodes) {
        INDArray kept = buffers.get("kept", gradCodes.rows(), nbConcepts());
        Ops.nonZeroMask(lastOutput().codes(), kept);
        encoder.backward(kept.muli(gradCodes), gradPreCodes);
    }

    @Override
    protected boolean keepsFewCodes() {
        return true;
    }

    @Override
    protected String settings() {
        return ", " + k + ", momentum=" + momentum;
    }
}
