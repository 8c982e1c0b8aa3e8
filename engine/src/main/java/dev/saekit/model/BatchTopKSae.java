package dev.saekit.model;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.kernel.TopK;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.Arrays;
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
 * <p>In a crosscoder the batch's top-k and the threshold compare {@code z_j w_j}, each code weighted
 * by its latent's decoder norms ({@link CodeNormalization}), and keep {@code z_j}: dictionary_learning's
 * BatchTopK crosscoder. The running threshold is then on that weighted scale.
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

    /**
     * Sets the running threshold (a model state, as a checkpoint or another library's file gives
     * it); NaN clears it, so that evaluation needs a training-mode forward again.
     */
    public void setRunningThreshold(double threshold) {
        runningThreshold.value().assign(threshold);
        runningThreshold.markChanged();
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
        INDArray weights = selectionWeights();
        INDArray post = null;
        INDArray values = codes;
        if (weights != null) { // a crosscoder selects by z_j w_j and keeps z_j
            post = relu ? Ops.relu(codes, buffers.get("post", codes.rows(), nbConcepts())) : codes;
            values = buffers.get("scaled", codes.rows(), nbConcepts())
                    .assign(post)
                    .muliRowVector(weights);
            relu = true;
        }
        double threshold;
        if (isTraining()) {
            dev.saekit.parallel.Collective workers = batchCollective();
            if (workers.isSingle()) {
                long n = values.length();
                threshold = TopK.keepLargest(values, Math.min(activeK.total(values.rows()), n), relu, into);
            } else { // data-parallel: the k-th largest of the whole batch, over every worker's rows
                long rows = (long) workers.sum((double) values.rows());
                long n = rows * values.columns();
                threshold = dev.saekit.kernel.SharedTopK.kthLargest(
                        values, Math.min(activeK.total(rows), n), relu, workers);
                TopK.atLeast(values, threshold, relu, into);
            }
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
            TopK.atLeast(values, threshold, relu, into);
        }
        if (post != null) {
            Arrays.fill(into.values(), 0, into.nonZeros(), 0.0);
            into.addAt(post, into.values());
        }
        lastThreshold = threshold;
    }

    /**
     * The weights a crosscoder selects by: each latent's decoder norms ({@link CodeNormalization}), as
     * dictionary_learning's BatchTopK crosscoder scales its codes before the batch's top-k; null for
     * every other model, whose codes are selected as they are.
     */
    private INDArray selectionWeights() {
        if (coder() instanceof CoderSpec.Crosscoder c && c.normalization() != CodeNormalization.NONE) {
            return c.normalization().weights(dictionary.get(), c.layers()).w();
        }
        return null;
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
