package dev.saekit.train;

import dev.saekit.model.OutputGradients;
import dev.saekit.model.SaeOutput;
import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where losses add their gradients with respect to a forward pass's outputs. The trainer resets
 * it before each step; each {@link Loss} term adds to the arrays it needs, so terms compose by
 * summation. Arrays come from reused buffers; the codes and pre-codes arrays exist only once a
 * term asks for them.
 */
public final class LossGradients {
    private final Buffers buffers;
    private final DType dtype;
    private INDArray reconstruction;
    private INDArray codes;
    private INDArray preCodes;
    private INDArray dictionary;
    private INDArray dictionaryUsed;
    private final java.util.List<INDArray> nested = new java.util.ArrayList<>();
    private final java.util.List<OutputGradients.SparseDecode> sparseDecodes = new java.util.ArrayList<>();
    private long rows;
    private int inputDim;
    private int nbConcepts;
    private long preCodesWidth;
    private double codeSign;
    private long batchRows;
    private dev.saekit.parallel.Collective collective = dev.saekit.parallel.Collective.single();

    public LossGradients(DType dtype) {
        this.buffers = new Buffers(dtype);
        this.dtype = dtype;
    }

    /** The element type of every gradient array. */
    public DType dtype() {
        return dtype;
    }

    /**
     * Adds {@code weight} times each gradient of {@code other} (a step over the same forward pass)
     * to this step's.
     */
    void addScaled(LossGradients other, double weight) {
        dev.saekit.kernel.Ops.axpy(weight, other.reconstruction, reconstruction);
        if (other.codes != null) {
            dev.saekit.kernel.Ops.axpy(weight, other.codes, codes());
        }
        if (other.preCodes != null) {
            dev.saekit.kernel.Ops.axpy(weight, other.preCodes, preCodes());
        }
        if (other.dictionary != null) {
            dev.saekit.kernel.Ops.axpy(weight, other.dictionary, dictionary(other.dictionaryUsed));
        }
        for (int level = 0; level < other.nested.size(); level++) {
            if (other.nested.get(level) != null) {
                dev.saekit.kernel.Ops.axpy(weight, other.nested.get(level), nested(level));
            }
        }
        codeSign += weight * other.codeSign;
        for (OutputGradients.SparseDecode decode : other.sparseDecodes) { // the term's own arrays: scaled in place
            decode.gradient().muli(weight);
            sparseDecodes.add(decode);
        }
    }

    /** Starts a step for the shapes of {@code out}: every gradient is zero. */
    public void reset(SaeOutput out) {
        reset(
                out.reconstruction().rows(),
                (int) out.reconstruction().columns(),
                (int) out.codes().columns(),
                out.preCodes().columns());
    }

    /** Starts a step of {@code rows} samples: every gradient is zero. */
    public void reset(long rows, int inputDim, int nbConcepts) {
        reset(rows, inputDim, nbConcepts, nbConcepts);
    }

    private void reset(long rows, int inputDim, int nbConcepts, long preCodesWidth) {
        this.rows = rows;
        this.inputDim = inputDim;
        this.nbConcepts = nbConcepts;
        this.preCodesWidth = preCodesWidth;
        reconstruction = buffers.get("reconstruction", rows, inputDim).assign(0);
        codes = null;
        preCodes = null;
        dictionary = null;
        dictionaryUsed = null;
        nested.clear();
        sparseDecodes.clear();
        codeSign = 0;
        batchRows = rows;
    }

    /**
     * Makes this step one worker's part of a data-parallel step over {@code batchRows} rows in all,
     * summed over {@code collective}: a loss normalises by {@link #batchRows()} instead of its own rows,
     * and sums its batch statistics over the workers, so that the workers' gradients add up to the
     * global batch's. Call after {@link #reset}; a reset returns to one process's own batch.
     */
    public void shareBatch(long batchRows, dev.saekit.parallel.Collective collective) {
        if (batchRows < rows) {
            throw new IllegalArgumentException("the global batch (" + batchRows
                    + " rows) cannot be smaller than this worker's part (" + rows + ")");
        }
        this.batchRows = batchRows;
        this.collective = collective;
    }

    /**
     * The rows of the whole batch this step's gradients are for: the rows of the forward pass in
     * one process, the sum of the workers' parts in data-parallel training ({@link #shareBatch}).
     * A loss that is a mean over rows divides by this.
     */
    public long batchRows() {
        return batchRows;
    }

    /**
     * The workers this step's batch is shared among ({@link dev.saekit.parallel.Collective#single()}
     * in one process): a loss that uses a statistic of the whole batch (its mean row, its variance)
     * sums its parts over them.
     */
    public dev.saekit.parallel.Collective collective() {
        return collective;
    }

    /**
     * The column sums of {@code x} over the whole batch ({@link #batchRows()} rows, summed over the
     * workers), in float64: {@code [1, cols]}.
     */
    public double[] batchColumnSums(INDArray x) {
        double[] sums =
                x.sum(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        collective.sum(sums);
        return sums;
    }

    /**
     * {@code sum((x - mean)^2)} over every entry of the whole batch, {@code mean} its mean row:
     * the batch's total variance. In one process it is computed as before data-parallel training
     * existed; shared, the mean row is summed over the workers first, then the squares.
     */
    public double batchTotalVariance(INDArray x, INDArray scratch) {
        if (collective.isSingle()) {
            return dev.saekit.kernel.RowKernels.sumOfSquares(scratch.assign(x).subiRowVector(x.mean(0)));
        }
        double[] mean = batchColumnSums(x);
        for (int j = 0; j < mean.length; j++) {
            mean[j] /= batchRows;
        }
        INDArray m = dev.saekit.tensor.Tensors.fromFlat(dtype, mean, 1, mean.length);
        return collective.sum(
                dev.saekit.kernel.RowKernels.sumOfSquares(scratch.assign(x).subiRowVector(m)));
    }

    /** {@code dL/dx_hat}, to add to. */
    public INDArray reconstruction() {
        return reconstruction;
    }

    /** {@code dL/dz}, to add to (zero on first use in a step). */
    public INDArray codes() {
        if (codes == null) {
            codes = buffers.get("codes", rows, nbConcepts).assign(0);
        }
        return codes;
    }

    /**
     * Adds {@code weight * sign(z)} to {@code dL/dz} without writing it out: the model adds it where
     * it reads the codes' gradient (at the non-zero codes only on its sparse path).
     */
    public void addCodeSign(double weight) {
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("the weight of a sign term must be finite, was " + weight);
        }
        codeSign += weight;
    }

    /** The weight of the pending {@code sign(z)} term of {@code dL/dz} ({@link #addCodeSign}); 0 if none. */
    public double codeSign() {
        return codeSign;
    }

    /** {@code dL/dz_pre}, to add to (zero on first use in a step). */
    public INDArray preCodes() {
        if (preCodes == null) {
            preCodes = buffers.get("preCodes", rows, preCodesWidth).assign(0);
        }
        return preCodes;
    }

    /**
     * {@code dL/dD} for the dictionary matrix {@code d} that the loss was given, to add to (zero on
     * first use in a step).
     */
    public INDArray dictionary(INDArray d) {
        if (dictionary == null) {
            dictionary = buffers.get("dictionary", d.rows(), d.columns()).assign(0);
            dictionaryUsed = d;
        } else if (dictionaryUsed != d) {
            throw new IllegalArgumentException("loss terms of one step must use the same dictionary matrix");
        }
        return dictionary;
    }

    /** {@code dL/dx_hat_level} for a nested reconstruction, to add to (zero on first use in a step). */
    public INDArray nested(int level) {
        while (nested.size() <= level) {
            nested.add(null);
        }
        if (nested.get(level) == null) {
            nested.set(level, buffers.get("nested" + level, rows, inputDim).assign(0));
        }
        return nested.get(level);
    }

    /**
     * Records a decode the loss made of its own sparse codes (see {@link OutputGradients.SparseDecode}):
     * the model propagates {@code gradient} through it. The arrays must stay unchanged until the
     * backward pass; a named {@link #scratch} array is a good home for the gradient.
     */
    public void addSparseDecode(
            dev.saekit.kernel.SparseCodes codes, INDArray gradient, INDArray usedD, boolean intoPreCodes) {
        addSparseDecode(codes, gradient, usedD, intoPreCodes, true);
    }

    /** As {@link #addSparseDecode(dev.saekit.kernel.SparseCodes, INDArray, INDArray, boolean)}, for a decode with or without the decoder bias. */
    public void addSparseDecode(
            dev.saekit.kernel.SparseCodes codes,
            INDArray gradient,
            INDArray usedD,
            boolean intoPreCodes,
            boolean withBias) {
        sparseDecodes.add(new OutputGradients.SparseDecode(codes, gradient, usedD, intoPreCodes, withBias));
    }

    /** A named scratch array for a loss term's intermediate results (contents undefined). */
    public INDArray scratch(String name, long rows, long cols) {
        return buffers.get("scratch:" + name, rows, cols);
    }

    /** A scratch array of the codes' shape for a loss term's intermediate results. */
    public INDArray scratchCodes() {
        return buffers.get("scratchCodes", rows, nbConcepts);
    }

    /** A scratch array of the inputs' shape. */
    public INDArray scratchInputs() {
        return buffers.get("scratchInputs", rows, inputDim);
    }

    public OutputGradients toOutputGradients() {
        return new OutputGradients(
                reconstruction, codes, preCodes, dictionary, dictionaryUsed, nested, sparseDecodes, codeSign);
    }
}
