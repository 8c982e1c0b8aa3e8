package dev.saekit.train;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.RowKernels;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.kernel.TopK;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.SaeOutput;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The AuxK term of dictionary_learning's BatchTopK trainers (its SAE and the crosscoder fork's
 * BatchTopK crosscoder), which differs from SAELens's ({@link AuxKLoss}) in four ways:
 * <ul>
 *   <li>a latent is dead once {@code deadTokens} training rows (default 10,000,000) went by since it
 *       last fired, counting THIS batch: the counter grows by the batch's rows and is reset for the
 *       latents the batch's codes use, then compared;
 *   <li>each row keeps the {@code kAux} dead latents (default: half the width of one layer, clamped to
 *       the number dead) with the largest ReLU'd pre-codes weighted by the decoder norms ({@link
 *       CodeNormalization}; weight 1 for an autoencoder), and decodes them with the dictionary alone,
 *       no decoder bias;
 *   <li>the term is {@code mean_rows(sum (e - r)^2) / mean_rows(sum (e - mean_rows(e))^2)}: divided by
 *       the variance of the residual {@code e = y - y_hat} (taken as a constant), not scaled by the
 *       number dead;
 *   <li>gradients reach the kept codes' pre-codes (hence the encoder) and the dictionary.
 * </ul>
 * dictionary_learning evaluates the term in float32 whatever the model's dtype; saekit evaluates it in
 * the model's dtype.
 *
 * <p>The counter is training state: the loss's listener ({@link #listeners()}) saves it in checkpoints
 * under {@link #STATE}.
 */
public final class DictionaryLearningAuxKLoss implements Loss {
    /** The state name of the tokens-since-fired counter. */
    public static final String STATE = "dead_tokens.auxk_dl";
    /** dictionary_learning's default {@code dead_feature_threshold}. */
    public static final long DEFAULT_DEAD_TOKENS = 10_000_000L;

    private final double coefficient;
    private final int kAux;
    private final long deadTokens;
    private final int layers;
    private final CodeNormalization normalization;
    private final SparseCodes kept = new SparseCodes();
    private final Counter counter = new Counter();

    /**
     * @param coefficient   the weight of the term (dictionary_learning: 1/32)
     * @param kAux          dead latents per row; 0 means half the width of one layer
     * @param deadTokens    rows without firing after which a latent is dead ({@code >= 1})
     * @param layers        the layers of a crosscoder's rows (1 for an autoencoder)
     * @param normalization how the selection weighs latents by their decoder norms
     */
    public DictionaryLearningAuxKLoss(
            double coefficient, int kAux, long deadTokens, int layers, CodeNormalization normalization) {
        if (!(coefficient >= 0) || !Double.isFinite(coefficient)) {
            throw new IllegalArgumentException("auxk_dl coefficient must be finite and >= 0, was " + coefficient);
        }
        if (kAux < 0) {
            throw new IllegalArgumentException("auxk_dl kAux must be >= 0 (0 = half a layer's width), was " + kAux);
        }
        if (deadTokens < 1) {
            throw new IllegalArgumentException("auxk_dl deadTokens must be >= 1, was " + deadTokens);
        }
        if (layers < 1) {
            throw new IllegalArgumentException("auxk_dl layers must be >= 1, was " + layers);
        }
        if (normalization == null) {
            throw new IllegalArgumentException("auxk_dl needs a code normalization: crosscoder, sae or none");
        }
        this.coefficient = coefficient;
        this.kAux = kAux;
        this.deadTokens = deadTokens;
        this.layers = layers;
        this.normalization = normalization;
    }

    @Override
    public LossSpec spec() {
        return new LossSpec.AuxKDictionaryLearning(coefficient, kAux, deadTokens, layers, normalization);
    }

    @Override
    public List<TrainingListener> listeners() {
        return List.of(counter);
    }

    /** Rows since each latent last fired (a copy). */
    public long[] tokensSinceFired() {
        return counter.since == null ? new long[0] : counter.since.clone();
    }

    /** Sets the rows since each latent last fired (the state before a step, as a checkpoint restores it). */
    public void setTokensSinceFired(long[] since) {
        counter.since = since.clone();
    }

    /** The latents dead after the latest evaluation. */
    public int lastDeadCount() {
        return counter.lastDead;
    }

    @Override
    public double evaluate(INDArray y, SaeOutput out, INDArray d, LossGradients grads) {
        INDArray codes = out.codes();
        int concepts = (int) codes.columns();
        long rows = codes.rows();
        int[] dead = counter.advance(codes, rows);
        int nDead = counter.lastDead;
        if (nDead == 0 || coefficient == 0) {
            return 0.0;
        }
        int width = (int) y.columns();
        int k = Math.min(kAux == 0 ? Math.max(1, width / layers / 2) : kAux, nDead);

        // select by the ReLU'd pre-codes weighted by the decoder norms; keep the ReLU'd pre-codes
        INDArray post = grads.scratch("auxk-dl-post", rows, concepts);
        Ops.relu(out.preCodes(), post);
        INDArray w = normalization.weights(d, layers).w().castTo(post.dataType());
        INDArray scaled =
                grads.scratch("auxk-dl-scaled", rows, concepts).assign(post).muliRowVector(w);
        TopK.perRowAmong(scaled, dead, nDead, k, true, kept);
        Arrays.fill(kept.values(), 0, kept.nonZeros(), 0.0);
        kept.addAt(post, kept.values());

        // residual e = y - y_hat (a constant); r = acts D (no decoder bias)
        INDArray e = grads.scratch("auxk-dl-residual", rows, width).assign(y);
        Ops.axpy(-1.0, out.reconstruction(), e);
        INDArray diff = kept.decode(readable(d), grads.scratch("auxk-dl-decode", rows, width));
        Ops.axpy(-1.0, e, diff); // r - e
        double squares = RowKernels.sumOfSquares(diff);
        INDArray centred = e.subiRowVector(e.mean(0)); // e is not needed past this point
        double variance = RowKernels.sumOfSquares(centred);
        if (!(variance > 0)) {
            return 0.0; // dictionary_learning's nan_to_num of 0/0: no term for a batch with one residual
        }
        double factor = coefficient / variance;
        diff.muli(2.0 * factor); // dL/dr
        grads.addSparseDecode(kept, diff, d, true, false);
        return factor * squares;
    }

    private static INDArray readable(INDArray a) {
        return a.ordering() == 'c' && !a.isView() && a.offset() == 0 ? a : a.dup('c');
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "auxk_dl(kAux=%s, coefficient=%s, deadTokens=%d)",
                kAux == 0 ? "layer/2" : kAux,
                coefficient,
                deadTokens);
    }

    /** Rows since each latent last fired, kept across steps and saved in checkpoints. */
    private final class Counter implements StatefulListener {
        long[] since;
        int lastDead;
        private int[] deadColumns = new int[0];

        /** Adds this batch's rows, resets the latents the codes use, and returns the dead ones (ascending). */
        int[] advance(INDArray codes, long rows) {
            int concepts = (int) codes.columns();
            if (since == null) {
                since = new long[concepts];
            } else if (since.length != concepts) {
                throw new IllegalStateException(
                        "auxk_dl counts " + since.length + " latents, the model has " + concepts);
            }
            double[] fired = codes.amax(0).castTo(DataType.DOUBLE).toDoubleVector();
            if (deadColumns.length < concepts) {
                deadColumns = new int[concepts];
            }
            int n = 0;
            for (int j = 0; j < concepts; j++) {
                since[j] = fired[j] != 0 ? 0 : since[j] + rows;
                if (since[j] >= deadTokens) {
                    deadColumns[n++] = j;
                }
            }
            lastDead = n;
            return deadColumns;
        }

        @Override
        public String stateName() {
            return STATE;
        }

        @Override
        public Map<String, INDArray> saveState() {
            return Map.of("tokens_since_fired", Nd4j.createFromArray(since == null ? new long[0] : since.clone()));
        }

        @Override
        public void restoreState(Map<String, INDArray> state) {
            INDArray s = state.get("tokens_since_fired");
            if (s == null) {
                throw new IllegalArgumentException(STATE + ": the saved state has no 'tokens_since_fired'");
            }
            long[] values =
                    s.length() == 0 ? new long[0] : s.castTo(DataType.LONG).toLongVector();
            since = values.length == 0 ? null : values;
        }
    }
}
