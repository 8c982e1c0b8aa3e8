package dev.saekit.train;

import dev.saekit.kernel.Ops;
import dev.saekit.kernel.RowKernels;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.kernel.TopK;
import dev.saekit.model.SaeOutput;
import dev.saekit.train.listeners.DeadCodeTracker;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The AuxK loss of Gao et al. (2024): the DEAD latents (per the given {@link DeadCodeTracker}) try to
 * explain the residual {@code e = x - x_hat}, taken as a constant. With {@code n} dead latents and
 * {@code kAux} (half the input width unless set), the scale {@code min(n / kAux, 1)} is taken BEFORE
 * {@code kAux} is clamped to {@code n}, so a few dead latents give a small term (10 dead at width 768:
 * 0.026). Per row the {@code min(kAux, n)} largest pre-codes among dead latents are kept, decoded with
 * the loss's dictionary plus the model's decoder bias (if it has one): {@code e_hat = acts D + b}.
 * Zero while no latent is dead.
 *
 * <p>Two definitions, named after the libraries that use them ({@link Flavor}): SAELens's (the
 * default, pinned by the golden {@code auxk_loss_*} cases) and sparsify's.
 *
 * <p>Only {@code kAux} codes per row are non-zero, so the decode and every gradient run on them alone
 * ({@link LossGradients#addSparseDecode}): no {@code [batch, concepts]} product, and TopK keeps its
 * sparse backward pass.
 */
public final class AuxKLoss implements Loss {

    /** Whose definition of AuxK. */
    public enum Flavor {
        /**
         * SAELens's {@code calculate_topk_aux_loss}: RAW pre-codes of dead latents (no ReLU, values may be
         * negative), {@code coefficient * scale * mean_rows(sum_cols((e_hat - e)^2))}; gradients reach the
         * kept pre-codes (hence the encoder), the dictionary and the decoder bias.
         */
        SAELENS("auxk"),
        /**
         * sparsify's: ReLU'd pre-codes of dead latents, {@code coefficient * scale * sum((e_hat - e)^2)}
         * divided by the batch's total variance {@code sum((x - mean_rows(x))^2)}; no gradient into the
         * encoder (the dictionary and the decoder bias learn from it).
         */
        SPARSIFY("auxk_sparsify");

        private final String label;

        Flavor(String label) {
            this.label = label;
        }

        /** The name used on the command line: {@code auxk} or {@code auxk_sparsify}. */
        public String label() {
            return label;
        }
    }

    private final DeadCodeTracker tracker;
    private final int kAux;
    private final double coefficient;
    private final Flavor flavor;
    private final SparseCodes kept = new SparseCodes();
    private int[] deadColumns = new int[0];

    /**
     * @param tracker     whose dead mask this loss reads (the trainer runs it through {@link #listeners()})
     * @param kAux        latents per row that may explain the residual; 0 means half the input width
     * @param coefficient the weight of the term ({@code >= 0})
     */
    public AuxKLoss(DeadCodeTracker tracker, int kAux, double coefficient, Flavor flavor) {
        if (tracker == null) {
            throw new IllegalArgumentException("AuxK needs the DeadCodeTracker that the trainer runs as a listener");
        }
        if (kAux < 0) {
            throw new IllegalArgumentException("kAux must be >= 0 (0 = half the input width), was " + kAux);
        }
        if (!(coefficient >= 0) || !Double.isFinite(coefficient)) {
            throw new IllegalArgumentException("coefficient must be finite and >= 0, was " + coefficient);
        }
        if (flavor == null) {
            throw new IllegalArgumentException("flavor is required: SAELENS or SPARSIFY");
        }
        this.tracker = tracker;
        this.kAux = kAux;
        this.coefficient = coefficient;
        this.flavor = flavor;
    }

    /** SAELens's definition. */
    public AuxKLoss(DeadCodeTracker tracker, int kAux, double coefficient) {
        this(tracker, kAux, coefficient, Flavor.SAELENS);
    }

    /** SAELens's definition, kAux = input / 2, coefficient 1/32. */
    public AuxKLoss(DeadCodeTracker tracker) {
        this(tracker, 0, 1.0 / 32);
    }

    /** SAELens's definition with a tracker of its own (dead = silent for a whole epoch). */
    public AuxKLoss(int kAux, double coefficient) {
        this(kAux, coefficient, Flavor.SAELENS);
    }

    /** With a tracker of its own, dead = silent for a whole epoch. */
    public AuxKLoss(int kAux, double coefficient, Flavor flavor) {
        this(new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, 0), kAux, coefficient, flavor);
    }

    /** The tracker whose dead mask this loss reads. */
    public DeadCodeTracker tracker() {
        return tracker;
    }

    public int kAux() {
        return kAux;
    }

    public double coefficient() {
        return coefficient;
    }

    public Flavor flavor() {
        return flavor;
    }

    @Override
    public List<TrainingListener> listeners() {
        return List.of(tracker);
    }

    /**
     * The spec records the tracker's window, not the tracker: a rebuilt loss has a tracker of its own
     * under {@link DeadCodeTracker#AUXK_STATE}, and a checkpoint's saved state goes back into it.
     */
    @Override
    public LossSpec spec() {
        return new LossSpec.AuxK(kAux, coefficient, flavor, tracker.windowSteps());
    }

    /**
     * The scale of the term with {@code nDead} dead latents and {@code kAux} latents per row:
     * {@code min(nDead / kAux, 1)}, from the unclamped {@code kAux}.
     */
    public static double scale(int nDead, int kAux) {
        return Math.min((double) nDead / kAux, 1.0);
    }

    @Override
    public boolean dataParallel() {
        return true; // its dead set comes from a tracker that sums the workers' firings
    }

    @Override
    public double evaluate(INDArray x, SaeOutput out, INDArray d, LossGradients grads) {
        int c = (int) out.preCodes().columns();
        int nDead = deadColumns(c);
        if (nDead == 0 || coefficient == 0) {
            return 0.0;
        }
        int width = (int) x.columns();
        int k0 = kAux == 0 ? Math.max(1, width / 2) : kAux;
        double scale = scale(nDead, k0);
        int k = Math.min(k0, nDead);
        INDArray preCodes = readable(out.preCodes());
        TopK.perRowAmong(preCodes, deadColumns, nDead, k, flavor == Flavor.SPARSIFY, kept);

        // e_hat - e = acts D + b - (x - x_hat)
        INDArray diff = kept.decode(readable(d), grads.scratch("auxk-decode", x.rows(), width));
        if (out.decoderBias() != null) {
            diff.addiRowVector(out.decoderBias());
        }
        Ops.axpy(1.0, out.reconstruction(), diff);
        Ops.axpy(-1.0, x, diff);
        double squares = RowKernels.sumOfSquares(diff);
        double denominator = flavor == Flavor.SAELENS
                ? grads.batchRows()
                : grads.batchTotalVariance(x, grads.scratch("auxk-centred", x.rows(), width));
        double factor = coefficient * scale / denominator;
        diff.muli(2.0 * factor); // now dL/d(e_hat)
        grads.addSparseDecode(kept, diff, d, flavor == Flavor.SAELENS);
        return factor * squares;
    }

    /** Fills {@link #deadColumns} with the dead concepts, ascending; returns how many there are. */
    private int deadColumns(int concepts) {
        boolean[] dead = tracker.deadMask();
        if (dead.length == 0) {
            return 0;
        }
        if (dead.length != concepts) {
            throw new IllegalStateException(
                    "the dead-code tracker follows " + dead.length + " concepts, the model has " + concepts);
        }
        if (deadColumns.length < concepts) {
            deadColumns = new int[concepts];
        }
        int n = 0;
        for (int j = 0; j < concepts; j++) {
            if (dead[j]) {
                deadColumns[n++] = j;
            }
        }
        return n;
    }

    private static INDArray readable(INDArray a) {
        return a.ordering() == 'c' && !a.isView() && a.offset() == 0 ? a : a.dup('c');
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT, "%s(kAux=%s, coefficient=%s)", flavor.label(), kAux == 0 ? "input/2" : kAux, coefficient);
    }
}
