package dev.saekit.model;

import dev.saekit.dictionary.Dictionary;
import dev.saekit.dictionary.DictionaryLayer;
import dev.saekit.dictionary.PlainDictionary;
import dev.saekit.dictionary.RelaxedArchetypalDictionary;
import dev.saekit.encoder.BiasedLinearEncoder;
import dev.saekit.encoder.Encoder;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.encoder.Encoders;
import dev.saekit.encoder.TiedEncoder;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything that defines a model except its weights: the shared {@link SaeConfig}, the variant and
 * its settings (a {@link VariantSpec} record), the dictionary kind and the encoder's layout.
 * {@link #build()} is the only factory of models: it makes a model of that shape with fresh weights
 * (the seed's), ready to have saved weights loaded into it. Every model keeps the spec it was built
 * from ({@link SparseAutoencoder#spec()}), so a checkpoint is a spec plus weights.
 */
public record ModelSpec(
        SaeConfig sae, VariantSpec variant, DictionarySpec dictionary, EncoderSpec encoder, CoderSpec coder) {

    /**
     * Checks the parts against each other; the variant checks its settings against the rest
     * ({@link VariantSpec#check}), and so does the coder ({@link CoderSpec#check}).
     */
    public ModelSpec(
            SaeConfig sae, VariantSpec variant, DictionarySpec dictionary, EncoderSpec encoder, CoderSpec coder) {
        this.sae = Objects.requireNonNull(sae, "sae");
        this.coder = Objects.requireNonNull(coder, "coder");
        this.variant = Objects.requireNonNull(variant, "variant");
        this.dictionary = Objects.requireNonNull(dictionary, "dictionary");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        if ((encoder instanceof EncoderSpec.SaeLens) != (dictionary instanceof DictionarySpec.Plain)) {
            throw new IllegalArgumentException(
                    "the SAELens layout pairs its encoder with a plain W_dec dictionary; got encoder " + encoder
                            + " and dictionary " + dictionary);
        }
        variant.check(this);
        coder.check(this);
    }

    /** An autoencoder of these parts: it reconstructs its own input. */
    public ModelSpec(SaeConfig sae, VariantSpec variant, DictionarySpec dictionary, EncoderSpec encoder) {
        this(sae, variant, dictionary, encoder, new CoderSpec.Autoencoder());
    }

    /** This spec as a transcoder, crosscoder or autoencoder ({@code coder}), everything else kept. */
    public ModelSpec withCoder(CoderSpec coder) {
        return new ModelSpec(sae, variant, dictionary, encoder, coder);
    }

    /**
     * A transcoder, crosscoder or autoencoder ({@code coder}) of {@code variant} in the layout those
     * use: SAELens's parameters ({@code W_enc}, {@code b_enc}, {@code W_dec}, {@code b_dec}), no
     * decoder-bias subtraction.
     */
    public static ModelSpec coder(SaeConfig sae, VariantSpec variant, CoderSpec coder) {
        return new ModelSpec(sae, variant, new DictionarySpec.Plain(), new EncoderSpec.SaeLens(false), coder);
    }

    /** The width of the model's output: the input width, or a transcoder's output width. */
    public int outputDim() {
        return coder.outputDim(sae.inputDim());
    }

    /** The width of a training row: the input width, plus a transcoder's target width. */
    public int rowWidth() {
        return coder.rowWidth(sae.inputDim());
    }

    /** Whether the model predicts something other than its input or reads several layers at once. */
    public boolean isAutoencoder() {
        return coder instanceof CoderSpec.Autoencoder;
    }

    /** A spec with the standard dictionary and encoder of {@code sae}. */
    public static ModelSpec of(SaeConfig sae, VariantSpec variant) {
        return new ModelSpec(sae, variant, new DictionarySpec.Standard(), new EncoderSpec.Standard());
    }

    /** A spec of {@code kind} with every setting at its default, the standard dictionary and encoder. */
    public static ModelSpec defaults(SaeConfig sae, VariantKind kind) {
        return of(sae, kind.defaults().apply(sae));
    }

    /** Which dictionary the model decodes with. */
    public sealed interface DictionarySpec {
        /** The {@link DictionaryLayer} that {@link SaeConfig#dictionary()} describes. */
        record Standard() implements DictionarySpec {}

        /** A {@link RelaxedArchetypalDictionary} over {@code nbPoints} candidates (the points are part of the weights). */
        record Archetypal(int nbPoints, double delta, boolean useMultiplier) implements DictionarySpec {
            public Archetypal {
                InvalidSettingException.require(nbPoints >= 1, "archetypal", "points", nbPoints, ">= 1");
                InvalidSettingException.require(
                        delta > 0 && Double.isFinite(delta), "archetypal", "delta", delta, "finite and > 0");
            }
        }

        /** A {@link PlainDictionary} (no projection) named {@code W_dec}: the SAELens layout. */
        record Plain() implements DictionarySpec {}
    }

    /** The encoder: the kind in {@link SaeConfig#encoder()}, or tied to the dictionary, or an untied linear copy. */
    public sealed interface EncoderSpec {
        record Standard() implements EncoderSpec {}

        record Tied(boolean bias) implements EncoderSpec {}

        record Untied(boolean bias) implements EncoderSpec {}

        /**
         * The SAELens layout: {@code z_pre = (x - b_dec) W_enc + b_enc} ({@code x W_enc + b_enc} when
         * {@code subtractDecoderBias} is false) and a decoder bias {@code b_dec} added to every
         * reconstruction; goes with {@link DictionarySpec.Plain}.
         */
        record SaeLens(boolean subtractDecoderBias) implements EncoderSpec {}
    }

    /** The state-dict name of a skip transcoder's skip weights {@code [output, input]}. */
    public static final String SKIP = "W_skip";

    /** Bytes per element of the model's float parameters. */
    public int elementBytes() {
        return sae.dtype() == DType.FLOAT64 ? 8 : 4;
    }

    /**
     * Every parameter and buffer a model of this spec holds, in the order of
     * {@link SparseAutoencoder#parameters()}, without allocating any: for memory estimates and size
     * checks before a model is built, and for checking a file's tensors against the model it claims
     * to hold. A test keeps it equal to what {@link #build()} makes.
     */
    public List<ParameterShape> parameterShapes() {
        return variant.parameterShapes(this);
    }

    /** The shapes of the variant's own parameters, then the encoder's, then the dictionary's (and {@code b_dec}'s). */
    List<ParameterShape> layoutShapes() {
        long d = sae.inputDim();
        long c = sae.nbConcepts();
        int w = elementBytes();
        List<ParameterShape> out = new ArrayList<>(variant.ownShapes(this));
        if (!isAutoencoder()) {
            long o = outputDim();
            out.add(new ParameterShape("W_enc", new long[] {d, c}, w, true));
            out.add(new ParameterShape("b_enc", new long[] {c}, w, true));
            out.add(new ParameterShape("W_dec", new long[] {c, o}, w, true));
            out.add(new ParameterShape("b_dec", new long[] {o}, w, true));
            if (coder instanceof CoderSpec.Transcoder t && t.skip()) {
                out.add(new ParameterShape(SKIP, new long[] {o, d}, w, true));
            }
            if (coder instanceof CoderSpec.Crosscoder cc && cc.normalizesActivations()) {
                out.addAll(ActivationNormalizer.shapes(d, cc.layers(), w));
            }
            return out;
        }
        if (encoder instanceof EncoderSpec.SaeLens) {
            out.add(new ParameterShape("b_dec", new long[] {d}, w, true));
            out.add(new ParameterShape("W_enc", new long[] {d, c}, w, true));
            out.add(new ParameterShape("b_enc", new long[] {c}, w, true));
        } else if (encoder instanceof EncoderSpec.Tied t) {
            if (t.bias()) {
                out.add(new ParameterShape(TiedEncoder.BIAS, new long[] {c}, w, true));
            }
        } else if (encoder instanceof EncoderSpec.Untied u) {
            out.add(new ParameterShape("encoder.weight", new long[] {c, d}, w, true));
            if (u.bias()) {
                out.add(new ParameterShape("encoder.bias", new long[] {c}, w, true));
            }
        } else if (variant.usesEncoder()) {
            EncoderKind kind = sae.encoder();
            for (int i = 0; i < kind.blocks(); i++) {
                boolean last = i == kind.blocks() - 1;
                String prefix = last ? "encoder.final_block" : "encoder.mlp_blocks." + i;
                long width = last ? c : d;
                out.add(new ParameterShape(prefix + ".0.weight", new long[] {width, d}, w, true));
                out.add(new ParameterShape(prefix + ".0.bias", new long[] {width}, w, true));
                if (kind.norm() != EncoderKind.NormKind.NONE) {
                    out.add(new ParameterShape(prefix + ".1.weight", new long[] {width}, w, true));
                    out.add(new ParameterShape(prefix + ".1.bias", new long[] {width}, w, true));
                }
                if (kind.norm() == EncoderKind.NormKind.BATCH) {
                    out.add(new ParameterShape(prefix + ".1.running_mean", new long[] {width}, w, false));
                    out.add(new ParameterShape(prefix + ".1.running_var", new long[] {width}, w, false));
                    out.add(new ParameterShape(prefix + ".1.num_batches_tracked", new long[0], 8, false));
                }
            }
        }
        if (dictionary instanceof DictionarySpec.Archetypal a) {
            out.add(new ParameterShape(RelaxedArchetypalDictionary.W, new long[] {c, a.nbPoints()}, w, true));
            out.add(new ParameterShape(RelaxedArchetypalDictionary.RELAX, new long[] {c, d}, w, true));
            out.add(new ParameterShape(RelaxedArchetypalDictionary.MULTIPLIER, new long[0], w, a.useMultiplier()));
            out.add(new ParameterShape(RelaxedArchetypalDictionary.POINTS, new long[] {a.nbPoints(), d}, w, false));
        } else if (dictionary instanceof DictionarySpec.Plain) {
            out.add(new ParameterShape("W_dec", new long[] {c, d}, w, true));
        } else {
            out.add(new ParameterShape(DictionaryLayer.WEIGHTS, new long[] {c, d}, w, true));
            out.add(new ParameterShape(
                    DictionaryLayer.MULTIPLIER, new long[0], w, sae.dictionary().useMultiplier()));
        }
        return out;
    }

    /** A model of this shape with the seed's initial weights (an archetypal dictionary's points zero, to be loaded). */
    public SparseAutoencoder build() {
        return variant.build(this, () -> parts(null));
    }

    /**
     * A model of this shape whose archetypal dictionary starts from {@code points} ({@code [nbPoints,
     * inputDim]}, e.g. {@link dev.saekit.dictionary.KMeans#fit} centroids). Only for a spec with an
     * {@link DictionarySpec.Archetypal} dictionary.
     */
    public SparseAutoencoder build(INDArray points) {
        if (!(dictionary instanceof DictionarySpec.Archetypal a)) {
            throw new IllegalArgumentException(
                    "candidate points are for an archetypal dictionary; this spec's dictionary is " + dictionary);
        }
        if (points.rank() != 2 || points.rows() != a.nbPoints() || points.columns() != sae.inputDim()) {
            throw new IllegalArgumentException("archetypal points must have shape [" + a.nbPoints() + ", "
                    + sae.inputDim() + "] (nbPoints, inputDim), was " + java.util.Arrays.toString(points.shape()));
        }
        return variant.build(this, () -> parts(points));
    }

    /** The encoder, dictionary and decoder bias of this layout, drawn from the seed (the encoder first, as the reference). */
    private ModelParts parts(INDArray points) {
        SeededRandom rng = new SeededRandom(sae.seed());
        if (!isAutoencoder()) {
            return coderParts(rng);
        }
        if (encoder instanceof EncoderSpec.SaeLens s) {
            // decoder rows Kaiming-uniform scaled to norm 0.1, encoder = decoder transposed, biases zero
            double bound = Math.sqrt(6.0 / sae.inputDim());
            INDArray dec = rng.uniform(sae.dtype(), -bound, bound, sae.nbConcepts(), sae.inputDim());
            dec.diviColumnVector(dec.norm2(1).divi(0.1).reshape(sae.nbConcepts(), 1));
            BiasedLinearEncoder enc = new BiasedLinearEncoder(
                    dec.transpose().dup('c'),
                    Tensors.zeros(sae.dtype(), sae.inputDim()),
                    Tensors.zeros(sae.dtype(), sae.nbConcepts()),
                    sae.dtype(),
                    BiasedLinearEncoder.Names.SAELENS,
                    s.subtractDecoderBias());
            return new ModelParts(enc, new PlainDictionary("W_dec", dec, sae.dtype()), enc.preBias());
        }
        if (encoder instanceof EncoderSpec.Tied t) {
            Dictionary dict = dictionary(rng, points);
            return new ModelParts(new TiedEncoder(dict, t.bias()), dict, null);
        }
        if (encoder instanceof EncoderSpec.Untied u) {
            Dictionary dict = dictionary(rng, points);
            return new ModelParts(Encoders.linearFrom(dict.get().dup('c'), u.bias()), dict, null);
        }
        Encoder enc = Encoders.create(
                variant.usesEncoder() ? sae.encoder() : EncoderKind.IDENTITY,
                sae.inputDim(),
                sae.nbConcepts(),
                sae.dtype(),
                rng);
        return new ModelParts(enc, dictionary(rng, points), null);
    }

    /**
     * A transcoder's or crosscoder's parts: decoder rows Kaiming-uniform scaled to norm 0.1, the
     * encoder their transpose when input and output have the same width (else drawn the same way
     * on its own), biases zero, the skip path zero (as sparsify and SAELens start it).
     */
    private ModelParts coderParts(SeededRandom rng) {
        int in = sae.inputDim();
        int out = outputDim();
        int c = sae.nbConcepts();
        INDArray dec = unitRows(rng, c, out).muli(0.1);
        INDArray enc = in == out
                ? dec.transpose().dup('c')
                : unitRows(rng, c, in).muli(0.1).transpose().dup('c');
        BiasedLinearEncoder encoder =
                BiasedLinearEncoder.withoutPreBias(enc, Tensors.zeros(sae.dtype(), c), sae.dtype());
        Parameter bias = Parameter.trainable("b_dec", Tensors.zeros(sae.dtype(), out));
        Parameter skip = coder instanceof CoderSpec.Transcoder t && t.skip()
                ? Parameter.trainable(SKIP, Tensors.zeros(sae.dtype(), out, in))
                : null;
        return new ModelParts(encoder, new PlainDictionary("W_dec", dec, sae.dtype()), bias, skip);
    }

    /** {@code rows} Kaiming-uniform rows of width {@code width}, each scaled to unit norm. */
    private INDArray unitRows(SeededRandom rng, int rows, int width) {
        double bound = Math.sqrt(6.0 / width);
        INDArray m = rng.uniform(sae.dtype(), -bound, bound, rows, width);
        return m.diviColumnVector(m.norm2(1).reshape(rows, 1));
    }

    private Dictionary dictionary(SeededRandom rng, INDArray points) {
        if (dictionary instanceof DictionarySpec.Archetypal a) {
            return new RelaxedArchetypalDictionary(
                    sae.nbConcepts(),
                    points != null ? points : Tensors.zeros(sae.dtype(), a.nbPoints(), sae.inputDim()),
                    a.delta(),
                    a.useMultiplier(),
                    sae.dtype());
        }
        return DictionaryLayer.create(sae.inputDim(), sae.nbConcepts(), sae.dictionary(), sae.dtype(), rng);
    }
}
