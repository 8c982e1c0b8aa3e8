package dev.saekit.train;

import dev.saekit.data.Dataset;
import dev.saekit.dictionary.Dictionary;
import dev.saekit.dictionary.DictionaryLayer;
import dev.saekit.dictionary.PlainDictionary;
import dev.saekit.encoder.BiasedLinearEncoder;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.encoder.MlpEncoder;
import dev.saekit.kernel.RowKernels;
import dev.saekit.kernel.SparseCodes;
import dev.saekit.model.JumpSae;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Re-initialises dead latents at the steps a {@link Resampling} names, as Bricken et al. (2023) and
 * dictionary_learning's {@code StandardTrainer} do. A latent is dead when it did not fire
 * ({@code z != 0}) in any step since the previous resampling (or the start). At a resampling:
 *
 * <ol>
 *   <li>a seeded sample of the rows (normalised as the run's inputs) is reconstructed in evaluation
 *       mode; each row's squared error {@code ||x - x_hat||^2} is its weight;</li>
 *   <li>{@code n = min(dead, rows with a positive error)} distinct rows are drawn with probability
 *       proportional to their weight, without replacement (Efraimidis-Spirakis keys
 *       {@code ln(u) / w}, the n largest; the first drawn goes to the lowest dead latent);</li>
 *   <li>the first {@code n} dead latents (by index) get them: the decoder row (atom) becomes the drawn
 *       row normalised to unit norm, the encoder row that unit row times {@code 0.2} times the mean
 *       encoder-row norm of the alive latents (1 when none is alive), the latent's encoder bias 0;</li>
 *   <li>Adam's two moments of every parameter slice of those latents are reset to 0: the encoder's
 *       row and bias entry, the decoder's row, JumpReLU's threshold entry (its value is kept).</li>
 * </ol>
 *
 * Weights follow dictionary_learning (squared errors as in Bricken et al., where dictionary_learning
 * weighs by the error's norm; the encoder row from the unit row). It works for a linear encoder
 * (standard, untied) or the SAELens layout ({@code W_enc}, {@code b_enc}, {@code W_dec}) over a
 * normalised or plain dictionary; a tied encoder, an MLP encoder, the pursuits and an archetypal
 * dictionary are refused when training starts. Its state (which latents fired in the open window) is
 * saved with checkpoints, and its draws depend on the run's seed and the step only, so a resumed run
 * resamples exactly as the uninterrupted one.
 */
public final class DeadLatentResampler implements StatefulListener {
    /** The name its state is saved under. */
    public static final String STATE = "resampling";

    private final Resampling schedule;
    private SparseAutoencoder model;
    private Dataset data;
    private Optimizer optimizer;
    private double scale;
    private long seed;
    private int batchSize;
    private boolean[] fired;
    private final List<Event> events = new ArrayList<>();

    /** A resampling: the 1-based step it followed and the latents it re-initialised. */
    public record Event(long step, int[] latents) {}

    public DeadLatentResampler(Resampling schedule) {
        this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
    }

    /** The resamplings of this run so far. */
    public List<Event> events() {
        return List.copyOf(events);
    }

    /**
     * Refuses, naming the variant and what to do, a model whose latents cannot be resampled.
     *
     * @throws IllegalArgumentException for a tied or MLP encoder, a pursuit, or an archetypal dictionary
     */
    public static void check(SparseAutoencoder model) {
        String variant = model.spec().variant().name();
        boolean linear = model.encoder() instanceof BiasedLinearEncoder
                || (model.encoder() instanceof MlpEncoder m && m.kind() == EncoderKind.LINEAR);
        if (!linear) {
            String what = model.isTied()
                    ? "a tied encoder is the decoder itself"
                    : !model.spec().variant().usesEncoder()
                            ? "a pursuit has no encoder to re-initialise"
                            : "an MLP encoder has no single row per latent";
            throw new IllegalArgumentException("dead-latent resampling needs a linear encoder; this " + variant
                    + " model's is " + model.encoder() + " (" + what + "): train it without resampling, or with "
                    + "the linear encoder");
        }
        Dictionary d = model.dictionary();
        if (!(d instanceof DictionaryLayer) && !(d instanceof PlainDictionary)) {
            throw new IllegalArgumentException("dead-latent resampling sets decoder rows; this " + variant
                    + " model's dictionary " + d + " has no free rows (an archetypal atom is a mix of its points): "
                    + "train it without resampling");
        }
    }

    @Override
    public void onTrainingStart(TrainingContext context) {
        check(context.model());
        model = context.model();
        data = context.data();
        optimizer = context.optimizer();
        scale = context.config().normalization().factor();
        seed = context.config().seed();
        batchSize = context.config().batchSize();
        fired = new boolean[model.nbConcepts()];
    }

    @Override
    public void onStep(StepState state) {
        SparseCodes sparse = state.output().sparseCodes();
        if (sparse != null) {
            sparse.markConcepts(fired);
        } else {
            RowKernels.markNonZeroColumns(state.output().codes(), fired);
        }
        if (schedule.at(state.step())) {
            int[] dead = dead();
            if (dead.length > 0) {
                int[] done = resample(dead, state.step());
                events.add(new Event(state.step(), done));
            }
            Arrays.fill(fired, false);
        }
    }

    private int[] dead() {
        int n = 0;
        for (boolean f : fired) {
            n += f ? 0 : 1;
        }
        int[] dead = new int[n];
        for (int j = 0, i = 0; j < fired.length; j++) {
            if (!fired[j]) {
                dead[i++] = j;
            }
        }
        return dead;
    }

    /** Re-initialises the first latents of {@code dead} from a sample; returns those it changed. */
    int[] resample(int[] dead, long step) {
        long drawSeed = seed ^ (step * 0x9E3779B97F4A7C15L);
        INDArray x = Tensors.copy(data.sample(schedule.sampleRows(), drawSeed), model.dtype());
        if (scale != 1.0) {
            x.muli(scale);
        }
        double[] weights = squaredErrors(x);
        int[] rows = draw(weights, dead.length, new SeededRandom(drawSeed).derive(1));
        int[] latents = Arrays.copyOf(dead, rows.length);
        if (rows.length == 0) {
            return latents;
        }
        Layout layout = new Layout(model);
        double aliveNorm = layout.meanAliveEncoderNorm(dead);
        for (int i = 0; i < rows.length; i++) {
            // a transcoder's atom points along the drawn row's target, its encoder row along its input
            INDArray row = x.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(rows[i], rows[i] + 1),
                            org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .dup('c');
            INDArray atom = unit(model.targetOf(row).dup().reshape(model.outputDim()));
            INDArray input = unit(model.inputOf(row).dup().reshape(model.inputDim()));
            layout.set(latents[i], atom, input.muli(0.2 * aliveNorm));
        }
        layout.markChanged();
        if (optimizer instanceof Adam adam) {
            layout.resetAdam(adam, latents);
        }
        return latents;
    }

    private static INDArray unit(INDArray v) {
        double norm = v.norm2Number().doubleValue();
        return norm > 0 ? v.divi(norm) : v;
    }

    /** {@code ||x_i - x_hat_i||^2} of every row, from evaluation-mode forwards over batches of the run's size. */
    private double[] squaredErrors(INDArray x) {
        double[] out = new double[(int) x.rows()];
        boolean wasTraining = model.isTraining();
        model.eval();
        try {
            for (int from = 0; from < out.length; from += batchSize) {
                int to = Math.min(out.length, from + batchSize);
                INDArray chunk = x.get(
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                                org.nd4j.linalg.indexing.NDArrayIndex.all())
                        .dup('c');
                // the error of the model's output against its target (a transcoder's, or the row itself)
                INDArray target = model.targetOf(chunk).dup();
                INDArray err = target.subi(model.forward(model.inputOf(chunk)).reconstruction());
                INDArray sq = err.muli(err).sum(1).castTo(DataType.DOUBLE);
                for (int i = from; i < to; i++) {
                    out[i] = sq.getDouble(i - from);
                }
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        return out;
    }

    /**
     * Up to {@code n} distinct indices drawn with probability proportional to {@code weights} without
     * replacement (rows of weight 0 never), in the order drawn: the n largest keys {@code ln(u) / w}.
     */
    static int[] draw(double[] weights, int n, SeededRandom rng) {
        List<double[]> keyed = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            double u = 1.0 - rng.nextDouble(); // in (0, 1]
            if (weights[i] > 0 && Double.isFinite(weights[i])) {
                keyed.add(new double[] {Math.log(u) / weights[i], i});
            }
        }
        keyed.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
        int m = Math.min(n, keyed.size());
        int[] out = new int[m];
        for (int i = 0; i < m; i++) {
            out[i] = (int) keyed.get(i)[1];
        }
        return out;
    }

    @Override
    public String stateName() {
        return STATE;
    }

    @Override
    public Map<String, INDArray> saveState() {
        Map<String, INDArray> state = new LinkedHashMap<>();
        long[] v = new long[fired.length];
        for (int j = 0; j < v.length; j++) {
            v[j] = fired[j] ? 1 : 0;
        }
        state.put("fired", Nd4j.createFromArray(v));
        return state;
    }

    @Override
    public void restoreState(Map<String, INDArray> state) {
        INDArray a = state.get("fired");
        if (a == null || a.rank() != 1 || a.length() != fired.length) {
            throw new IllegalArgumentException(STATE + ": fired must be a vector of " + fired.length + " flags, was "
                    + (a == null ? "missing" : Arrays.toString(a.shape())));
        }
        long[] v = a.castTo(DataType.LONG).toLongVector();
        for (int j = 0; j < v.length; j++) {
            if (v[j] != 0 && v[j] != 1) {
                throw new IllegalArgumentException(STATE + ": fired[" + j + "] must be 0 or 1, was " + v[j]);
            }
            fired[j] = v[j] == 1;
        }
    }

    /**
     * The parameter slices of one latent in a model's layout: the encoder's row (a row of torch's
     * {@code [concepts, input]} weight, or a column of SAELens' {@code W_enc [input, concepts]}), its
     * bias entry, the decoder's row, and a JumpReLU threshold entry.
     */
    private static final class Layout {
        private final Parameter encoder;
        private final boolean encoderByColumn;
        private final Parameter bias;
        private final Parameter decoder;
        private final Parameter threshold;

        Layout(SparseAutoencoder model) {
            if (model.encoder() instanceof BiasedLinearEncoder b) {
                encoder = b.weight();
                encoderByColumn = true;
                bias = b.latentBias();
            } else {
                List<Parameter> p = model.encoder().parameters();
                encoder = p.get(0);
                encoderByColumn = false;
                bias = p.size() > 1 ? p.get(1) : null;
            }
            decoder = model.dictionary() instanceof DictionaryLayer l
                    ? l.weights()
                    : ((PlainDictionary) model.dictionary()).weights();
            threshold = model instanceof JumpSae j ? j.thresholds() : null;
        }

        double meanAliveEncoderNorm(int[] dead) {
            INDArray norms = encoder.value().norm2(encoderByColumn ? 0 : 1).castTo(DataType.DOUBLE);
            boolean[] isDead = new boolean[(int) norms.length()];
            for (int j : dead) {
                isDead[j] = true;
            }
            double sum = 0;
            int alive = 0;
            for (int j = 0; j < isDead.length; j++) {
                if (!isDead[j]) {
                    sum += norms.getDouble(j);
                    alive++;
                }
            }
            return alive == 0 ? 1.0 : sum / alive;
        }

        void set(int latent, INDArray atom, INDArray encoderRow) {
            decoder.value().putRow(latent, atom);
            if (encoderByColumn) {
                encoder.value().putColumn(latent, encoderRow.reshape(encoderRow.length(), 1));
            } else {
                encoder.value().putRow(latent, encoderRow);
            }
            if (bias != null) {
                bias.value().putScalar(latent, 0.0);
            }
        }

        void markChanged() {
            decoder.markChanged();
            encoder.markChanged();
            if (bias != null) {
                bias.markChanged();
            }
        }

        void resetAdam(Adam adam, int[] latents) {
            for (Parameter p : new Parameter[] {encoder, bias, decoder, threshold}) {
                Adam.State s = p == null ? null : adam.state(p);
                if (s == null) {
                    continue;
                }
                for (INDArray moment : new INDArray[] {s.expAvg(), s.expAvgSq()}) {
                    for (int j : latents) {
                        if (p == encoder && encoderByColumn) {
                            moment.getColumn(j).assign(0);
                        } else if (moment.rank() == 2) {
                            moment.getRow(j).assign(0);
                        } else {
                            moment.putScalar(j, 0.0);
                        }
                    }
                }
            }
        }
    }
}
