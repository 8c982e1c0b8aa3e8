package dev.saekit.cli;

import dev.saekit.data.Dataset;
import dev.saekit.dictionary.KMeans;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.InvalidSettingException;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.MpSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import dev.saekit.train.AuxKLoss;
import dev.saekit.train.DictionaryLearningAuxKLoss;
import dev.saekit.train.Loss;
import dev.saekit.train.MatchingPursuitReviveLoss;
import dev.saekit.train.MatryoshkaLoss;
import dev.saekit.train.ReanimationLoss;
import dev.saekit.train.TopKAuxiliaryLoss;
import dev.saekit.train.listeners.DeadCodeTracker;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Builds the model and the loss that {@link VariantOptions} describe. */
final class ModelFactory {
    /** Rows k-means looks at when picking archetypal candidates (a seeded sample of the data beyond that). */
    static final int KMEANS_ROWS = 4096;

    private ModelFactory() {}

    /** What {@code o} describes: the spec of the model, built by {@link #create} (nothing is allocated here). */
    static ModelSpec spec(VariantKind kind, VariantOptions o, SaeConfig config) throws CliException {
        VariantSpec variant = o.spec(kind, config);
        ModelSpec.DictionarySpec dictionary;
        try {
            dictionary = o.archetypal > 0
                    ? new ModelSpec.DictionarySpec.Archetypal(o.archetypal, o.delta, true)
                    : new ModelSpec.DictionarySpec.Standard();
        } catch (InvalidSettingException e) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--" + (e.setting().equals("points") ? "archetypal" : e.setting()) + " must be " + e.requirement()
                            + ", was " + e.value());
        }
        try {
            return new ModelSpec(config, variant, dictionary, new ModelSpec.EncoderSpec.Standard());
        } catch (InvalidSettingException e) {
            throw VariantOptions.invalid(e);
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE, (o.archetypal > 0 ? "--archetypal does not apply: " : "") + e.getMessage());
        }
    }

    /**
     * The spec of a transcoder or crosscoder ({@code coder}) of the variant {@code o} describes, in the
     * SAELens layout ({@link ModelSpec#coder}); the engine's refusals in the command line's words.
     */
    static ModelSpec coderSpec(VariantKind kind, VariantOptions o, SaeConfig config, CoderSpec coder)
            throws CliException {
        VariantSpec variant = o.spec(kind, config);
        try {
            return ModelSpec.coder(config, variant, coder);
        } catch (InvalidSettingException e) {
            throw VariantOptions.invalid(e);
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--coder " + coder.kind() + ": " + e.getMessage());
        }
    }

    /** The model of {@code spec}; an archetypal dictionary's candidates are picked by k-means on {@code data}. */
    static SparseAutoencoder create(ModelSpec spec, VariantOptions o, Dataset data) throws CliException {
        if (spec.dictionary() instanceof ModelSpec.DictionarySpec.Archetypal) {
            INDArray points = archetypalPoints(o, spec.sae(), data);
            return Cli.build(() -> spec.build(points));
        }
        return Cli.build(spec::build);
    }

    private static INDArray archetypalPoints(VariantOptions o, SaeConfig config, Dataset data) throws CliException {
        Cli.require(
                o.archetypal >= config.nbConcepts(),
                "--archetypal needs at least --concepts=" + config.nbConcepts() + " candidate points, was "
                        + o.archetypal);
        long rows = Math.min(data.rows(), KMEANS_ROWS);
        Cli.require(
                o.archetypal <= rows,
                "--archetypal needs at most " + rows + " candidate points (the rows " + "k-means looks at), was "
                        + o.archetypal);
        return KMeans.fit(data, o.archetypal, KMEANS_ROWS, 20, config.seed());
    }

    /**
     * The loss: the nested loss for Matryoshka variants, else {@code base}; plus the auxiliary term
     * (AuxK's dead-code tracker comes with it, see {@link Loss#listeners()}).
     */
    static Loss loss(VariantSpec v, VariantOptions o, Loss base) throws CliException {
        return loss(v, o, base, new CoderSpec.Autoencoder(), DictionaryLearningAuxKLoss.DEFAULT_DEAD_TOKENS);
    }

    /**
     * {@link #loss(VariantSpec, VariantOptions, Loss)} for a model of {@code coder}: a crosscoder's
     * default auxiliary term is dictionary_learning's AuxK ({@code auxk_dl}, dead after {@code
     * deadTokens} rows without firing), which weighs latents by the crosscoder's decoder norms.
     */
    static Loss loss(VariantSpec v, VariantOptions o, Loss base, CoderSpec coder, long deadTokens) throws CliException {
        Loss loss = base;
        if (v.nested()) {
            MatryoshkaLoss.Kind kind = Cli.parse("--level-loss", o.levelLoss, MatryoshkaLoss.Kind::parse);
            switch (o.levelWeights.toLowerCase(Locale.ROOT)) {
                case "uw" -> loss = MatryoshkaLoss.uniform(kind);
                case "rw" -> loss = MatryoshkaLoss.reverseWeighted(kind);
                default ->
                    throw new CliException(
                            SaekitCli.EXIT_USAGE,
                            "--level-weights: unknown '" + o.levelWeights + "'; accepted: uw, rw");
            }
        }
        Double w = o.auxWeight;
        String kind = o.auxKind(v, coder);
        Cli.require(o.auxK >= 0, "--aux-k must be >= 0 (0: half the input width), was " + o.auxK);
        Cli.require(o.auxWindow >= 0, "--aux-window must be >= 0 (0: one epoch), was " + o.auxWindow);
        Loss aux = switch (kind) {
            case "none" -> null;
            case "topk_aux" -> Cli.build(() -> new TopKAuxiliaryLoss(w == null ? 0.1 : w));
            case "auxk", "auxk_sparsify" ->
                Cli.build(() -> new AuxKLoss(
                        new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, o.auxWindow),
                        o.auxK,
                        w == null ? 1.0 / 32 : w,
                        kind.equals("auxk") ? AuxKLoss.Flavor.SAELENS : AuxKLoss.Flavor.SPARSIFY));
            case "auxk_dl" -> {
                int layers = coder instanceof CoderSpec.Crosscoder c ? c.layers() : 1;
                CodeNormalization n =
                        coder instanceof CoderSpec.Crosscoder c ? c.normalization() : CodeNormalization.NONE;
                yield Cli.build(
                        () -> new DictionaryLearningAuxKLoss(w == null ? 1.0 / 32 : w, o.auxK, deadTokens, layers, n));
            }
            case "reanimation" -> Cli.build(() -> new ReanimationLoss(w == null ? 0.1 : w));
            case "mp_revive" -> {
                Cli.require(v instanceof MpSpec, "--aux mp_revive needs --variant mp (it uses the pursuit's residual)");
                yield Cli.build(() -> new MatchingPursuitReviveLoss(w == null ? 1e-2 : w, 1e-2, 10));
            }
            default ->
                throw new CliException(
                        SaekitCli.EXIT_USAGE,
                        "--aux: unknown '" + o.aux
                                + "'; accepted: none, topk_aux, auxk, auxk_sparsify, auxk_dl, reanimation, mp_revive");
        };
        return aux == null ? loss : loss.plus(aux);
    }

    /** The reconstruction loss a variant trains with when --loss is not given. */
    static String defaultLoss(VariantSpec v) {
        return v.sparsityFromLoss() ? "mse_l1" : "mse";
    }
}
