package dev.saekit.model;

import dev.saekit.dictionary.Dictionary;
import dev.saekit.dictionary.PlainDictionary;
import dev.saekit.encoder.BiasedLinearEncoder;
import org.nd4j.linalg.api.ndarray.INDArray;
import dev.saekit.dictionary.DictionaryLayer;
import dev.saekit.dictionary.RelaxedArchetypalDictionary;
import dev.saekit.encoder.Encoder;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.encoder.Encoders;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import java.util.List;
import java.util.Objects;

/**
 * Everything that defines a model except its weights: the shared {@link SaeConfig}, the variant and
 * its settings, the dictionary kind and the encoder's tying. {@link #build()} makes a model of that
 * shape with fresh weights (the seed's), ready to have saved weights loaded into it; every model's
 * {@link SparseAutoencoder#spec()} gives its spec, so a checkpoint is a spec plus weights.
 */
public record ModelSpec(SaeConfig sae, VariantSpec variant, DictionarySpec dictionary, EncoderSpec encoder) {

    public ModelSpec {
        Objects.requireNonNull(sae, "sae");
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(dictionary, "dictionary");
        Objects.requireNonNull(encoder, "encoder");
        if (variant instanceof VariantSpec.Msae && !(dictionary instanceof DictionarySpec.Standard)) {
            throw new IllegalArgumentException("an msae model has its own decoder; it takes no other dictionary");
        }
        if (variant instanceof VariantSpec.Msae && !(encoder instanceof EncoderSpec.Standard)) {
            throw new IllegalArgumentException("an msae model keeps its own encoder; it cannot be tied or untied");
        }
        if ((encoder instanceof EncoderSpec.SaeLens) != (dictionary instanceof DictionarySpec.Plain)) {
            throw new IllegalArgumentException("the SAELens layout pairs its encoder with a plain W_dec dictionary; got encoder "
                    + encoder + " and dictionary " + dictionary);
        }
        if (encoder instanceof EncoderSpec.SaeLens
                && (variant instanceof VariantSpec.Mp || variant instanceof VariantSpec.Omp)) {
            throw new IllegalArgumentException("matching pursuits use no encoder; the SAELens layout does not apply to them");
        }
    }

    /** A spec with the standard dictionary and encoder of {@code sae}. */
    public static ModelSpec of(SaeConfig sae, VariantSpec variant) {
        return new ModelSpec(sae, variant, new DictionarySpec.Standard(), new EncoderSpec.Standard());
    }

    /** The variant and its settings. */
    public sealed interface VariantSpec {
        Variant variant();

        record Vanilla() implements VariantSpec {
            public Variant variant() {
                return Variant.VANILLA;
            }
        }

        record TopK(int k) implements VariantSpec {
            public Variant variant() {
                return Variant.TOPK;
            }
        }

        record BatchTopK(BatchTopKSae.BatchK k, double momentum) implements VariantSpec {
            public Variant variant() {
                return Variant.BATCHTOPK;
            }
        }

        record JumpRelu(JumpKernel kernel, float bandwidth) implements VariantSpec {
            public Variant variant() {
                return Variant.JUMPRELU;
            }
        }

        record Mp(int k, Double dropout) implements VariantSpec {
            public Variant variant() {
                return Variant.MP;
            }
        }

        record Omp(int k, int maxIter, Double dropout) implements VariantSpec {
            public Variant variant() {
                return Variant.OMP;
            }
        }

        record Msae(List<Integer> nesting, double softCap) implements VariantSpec {
            public Msae {
                nesting = List.copyOf(nesting);
            }

            public Variant variant() {
                return Variant.MSAE;
            }
        }

        record PrefixMatryoshka(List<Integer> prefixes, BatchTopKSae.BatchK k, double momentum) implements VariantSpec {
            public PrefixMatryoshka {
                prefixes = List.copyOf(prefixes);
            }

            public Variant variant() {
                return Variant.MATRYOSHKA;
            }
        }
    }

    /** Which dictionary the model decodes with. */
    public sealed interface DictionarySpec {
        /** The {@link DictionaryLayer} that {@link SaeConfig#dictionary()} describes. */
        record Standard() implements DictionarySpec {
        }

        /** A {@link RelaxedArchetypalDictionary} over {@code nbPoints} candidates (the points are part of the weights). */
        record Archetypal(int nbPoints, double delta, boolean useMultiplier) implements DictionarySpec {
        }

        /** A {@link PlainDictionary} (no projection) named {@code W_dec}: the SAELens layout. */
        record Plain() implements DictionarySpec {
        }
    }

    /** The encoder: the kind in {@link SaeConfig#encoder()}, or tied to the dictionary, or an untied linear copy. */
    public sealed interface EncoderSpec {
        record Standard() implements EncoderSpec {
        }

        record Tied(boolean bias) implements EncoderSpec {
        }

        record Untied(boolean bias) implements EncoderSpec {
        }

        /**
         * The SAELens layout: {@code z_pre = (x - b_dec) W_enc + b_enc} ({@code x W_enc + b_enc} when
         * {@code subtractDecoderBias} is false) and a decoder bias {@code b_dec} added to every
         * reconstruction; goes with {@link DictionarySpec.Plain}.
         */
        record SaeLens(boolean subtractDecoderBias) implements EncoderSpec {
        }
    }

    /**
     * Every parameter and buffer a model of this spec holds, in the order of
     * {@link SparseAutoencoder#parameters()}, without allocating any: for memory estimates and size
     * checks before a model is built, and for checking a file's tensors against the model it claims
     * to hold. A test keeps it equal to what {@link #build()} makes.
     */
    public List<ParameterShape> parameterShapes() {
        long d = sae.inputDim();
        long c = sae.nbConcepts();
        int w = sae.dtype() == dev.saekit.tensor.DType.FLOAT64 ? 8 : 4;
        List<ParameterShape> out = new java.util.ArrayList<>();
        if (variant instanceof VariantSpec.Msae) {
            out.add(new ParameterShape("pre_bias", new long[] {d}, w, true));
            out.add(new ParameterShape("encoder", new long[] {d, c}, w, true));
            out.add(new ParameterShape("latent_bias", new long[] {c}, w, true));
            out.add(new ParameterShape("decoder", new long[] {c, d}, w, true));
            out.add(new ParameterShape(MatryoshkaSae.ACTIVATION_FREQUENCY, new long[] {c}, 8, false));
            return out;
        }
        if (variant instanceof VariantSpec.BatchTopK || variant instanceof VariantSpec.PrefixMatryoshka) {
            out.add(new ParameterShape(BatchTopKSae.RUNNING_THRESHOLD, new long[0], w, false));
        } else if (variant instanceof VariantSpec.JumpRelu) {
            out.add(new ParameterShape(JumpSae.THRESHOLDS, new long[] {c}, w, true));
        } else if ((variant instanceof VariantSpec.Mp m && m.dropout() != null)
                || (variant instanceof VariantSpec.Omp o && o.dropout() != null)) {
            out.add(new ParameterShape(DropoutMask.STATE, new long[0], 8, false));
        }
        boolean pursuit = variant instanceof VariantSpec.Mp || variant instanceof VariantSpec.Omp;
        if (encoder instanceof EncoderSpec.SaeLens) {
            out.add(new ParameterShape("b_dec", new long[] {d}, w, true));
            out.add(new ParameterShape("W_enc", new long[] {d, c}, w, true));
            out.add(new ParameterShape("b_enc", new long[] {c}, w, true));
        } else if (encoder instanceof EncoderSpec.Tied t) {
            if (t.bias()) {
                out.add(new ParameterShape(dev.saekit.encoder.TiedEncoder.BIAS, new long[] {c}, w, true));
            }
        } else if (encoder instanceof EncoderSpec.Untied u) {
            out.add(new ParameterShape("encoder.weight", new long[] {c, d}, w, true));
            if (u.bias()) {
                out.add(new ParameterShape("encoder.bias", new long[] {c}, w, true));
            }
        } else if (!pursuit) {
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
            out.add(new ParameterShape(DictionaryLayer.MULTIPLIER, new long[0], w, sae.dictionary().useMultiplier()));
        }
        return out;
    }

    /** A model of this shape with the seed's initial weights (an archetypal dictionary's points zero, to be loaded). */
    public SparseAutoencoder build() {
        return create(null);
    }

    /**
     * A model of this shape whose archetypal dictionary starts from {@code points} ({@code [nbPoints,
     * inputDim]}, e.g. {@link dev.saekit.dictionary.KMeans#fit} centroids). Only for a spec with an
     * {@link DictionarySpec.Archetypal} dictionary.
     */
    public SparseAutoencoder build(INDArray points) {
        if (!(dictionary instanceof DictionarySpec.Archetypal a)) {
            throw new IllegalArgumentException("candidate points are for an archetypal dictionary; this spec's dictionary is "
                    + dictionary);
        }
        if (points.rank() != 2 || points.rows() != a.nbPoints() || points.columns() != sae.inputDim()) {
            throw new IllegalArgumentException("archetypal points must have shape [" + a.nbPoints() + ", " + sae.inputDim()
                    + "] (nbPoints, inputDim), was " + java.util.Arrays.toString(points.shape()));
        }
        return create(points);
    }

    private SparseAutoencoder create(INDArray points) {
        if (variant instanceof VariantSpec.Msae m) {
            return MatryoshkaSae.create(sae, m.nesting(), m.softCap());
        }
        SeededRandom rng = new SeededRandom(sae.seed());
        boolean pursuit = variant instanceof VariantSpec.Mp || variant instanceof VariantSpec.Omp;
        Encoder enc;
        Dictionary dict;
        BiasedLinearEncoder saeLens = null;
        if (encoder instanceof EncoderSpec.SaeLens s) {
            // decoder rows Kaiming-uniform scaled to norm 0.1, encoder = decoder transposed, biases zero
            double bound = Math.sqrt(6.0 / sae.inputDim());
            INDArray dec = rng.uniform(sae.dtype(), -bound, bound, sae.nbConcepts(), sae.inputDim());
            dec.diviColumnVector(dec.norm2(1).divi(0.1).reshape(sae.nbConcepts(), 1));
            saeLens = new BiasedLinearEncoder(dec.transpose().dup('c'), Tensors.zeros(sae.dtype(), sae.inputDim()),
                    Tensors.zeros(sae.dtype(), sae.nbConcepts()), sae.dtype(), BiasedLinearEncoder.Names.SAELENS,
                    s.subtractDecoderBias());
            enc = saeLens;
            dict = new PlainDictionary("W_dec", dec, sae.dtype());
        } else {
            enc = Encoders.create(pursuit ? EncoderKind.IDENTITY : sae.encoder(), sae.inputDim(), sae.nbConcepts(),
                    sae.dtype(), rng);
            dict = dictionary(rng, points);
        }
        SparseAutoencoder model = variant(enc, dict);
        if (saeLens != null) {
            model.withDecoderBias(saeLens.preBias());
        }
        if (encoder instanceof EncoderSpec.Tied t) {
            model.tied(t.bias());
        } else if (encoder instanceof EncoderSpec.Untied u) {
            model.untied(u.bias(), true);
        }
        return model;
    }

    private Dictionary dictionary(SeededRandom rng, INDArray points) {
        Dictionary dict;
        if (dictionary instanceof DictionarySpec.Archetypal a) {
            dict = new RelaxedArchetypalDictionary(sae.nbConcepts(),
                    points != null ? points : Tensors.zeros(sae.dtype(), a.nbPoints(), sae.inputDim()),
                    a.delta(), a.useMultiplier(), sae.dtype());
        } else {
            dict = DictionaryLayer.create(sae.inputDim(), sae.nbConcepts(), sae.dictionary(), sae.dtype(), rng);
        }
        return dict;
    }

    private SparseAutoencoder variant(Encoder enc, Dictionary dict) {
        SparseAutoencoder model;
        if (variant instanceof VariantSpec.Vanilla) {
            model = new Sae(sae, enc, dict);
        } else if (variant instanceof VariantSpec.TopK t) {
            model = new TopKSae(sae, t.k(), enc, dict);
        } else if (variant instanceof VariantSpec.BatchTopK b) {
            model = new BatchTopKSae(sae, b.k(), b.momentum(), enc, dict);
        } else if (variant instanceof VariantSpec.JumpRelu j) {
            model = new JumpSae(sae, j.kernel(), j.bandwidth(), enc, dict);
        } else if (variant instanceof VariantSpec.Mp p) {
            model = new MpSae(sae, p.k(), p.dropout(), enc, dict);
        } else if (variant instanceof VariantSpec.Omp o) {
            model = new OmpSae(sae, o.k(), o.maxIter(), o.dropout(), enc, dict);
        } else if (variant instanceof VariantSpec.PrefixMatryoshka p) {
            model = new PrefixMatryoshkaSae(sae, p.prefixes().stream().mapToInt(Integer::intValue).toArray(), p.k(), p.momentum(),
                    enc, dict);
        } else {
            throw new IllegalStateException("unhandled variant " + variant);
        }
        return model;
    }
}
