package dev.saekit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.MsaeSpec;
import dev.saekit.model.VariantSpec;
import dev.saekit.train.CoderLosses;
import dev.saekit.train.DictionaryLearningAuxKLoss;
import dev.saekit.train.Loss;
import dev.saekit.train.Losses;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The options of {@code saekit train} that make it build a transcoder, a skip transcoder or a
 * crosscoder instead of an autoencoder ({@link CoderSpec}): what the model reads and what it is
 * compared with. A transcoder's target is another array of the same rows ({@code --target},
 * {@code --target-name}); a crosscoder's layers are several arrays or taps of {@code --data}, named
 * together ({@code --name residual:2,residual:4}). The data are paired by {@link CoderData}.
 */
public final class CoderOptions {

    /** What {@code --coder} names. */
    enum Kind {
        AUTOENCODER("autoencoder"),
        TRANSCODER("transcoder"),
        SKIP_TRANSCODER("skip-transcoder"),
        CROSSCODER("crosscoder");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        boolean transcoder() {
            return this == TRANSCODER || this == SKIP_TRANSCODER;
        }

        static Kind parse(String name) {
            for (Kind k : values()) {
                if (k.label.equalsIgnoreCase(name.replace('_', '-'))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown coder '" + name + "'; accepted: "
                    + String.join(
                            ", ", Arrays.stream(values()).map(k -> k.label).toList()));
        }

        /** The kind of a saved model's coder. */
        static Kind of(CoderSpec coder) {
            if (coder instanceof CoderSpec.Transcoder t) {
                return t.skip() ? SKIP_TRANSCODER : TRANSCODER;
            }
            return coder instanceof CoderSpec.Crosscoder ? CROSSCODER : AUTOENCODER;
        }
    }

    @Option(
            names = "--coder",
            paramLabel = "KIND",
            defaultValue = "autoencoder",
            description =
                    "What the model reads and predicts: autoencoder (its own input), transcoder (another activation "
                            + "of the same rows, --target/--target-name), skip-transcoder (a transcoder with a linear skip "
                            + "path), or crosscoder (several layers at once, --name A,B,...). Default: ${DEFAULT-VALUE}.")
    String coder;

    @Option(
            names = "--target",
            paramLabel = "PATH",
            description =
                    "Transcoders: the activations to predict, read like --data (a file, shards, a harvest directory) and "
                            + "holding one row per row of --data. Default: --data itself (give --target-name).")
    Path target;

    @Option(
            names = "--target-name",
            paramLabel = "NAME",
            description = "Transcoders: the array or tap of --target (or of --data) to predict, e.g. mlp_out:3 beside "
                    + "--name mlp_in:3.")
    String targetName;

    @Option(
            names = "--code-normalization",
            paramLabel = "KIND",
            description =
                    "Crosscoders: how each latent is weighed by its decoder (in the L1 term and the BatchTopK selection): "
                            + "crosscoder (the sum of its per-layer decoder norms), sae (the norm of its whole atom) or "
                            + "none. Default: crosscoder.")
    String codeNormalization;

    @Option(
            names = "--dead-tokens",
            paramLabel = "N",
            description = "--aux auxk_dl: training rows a latent may go without firing before it counts as dead. "
                    + "Default: 10000000.")
    Long deadTokens;

    /** The kind {@code --coder} names. */
    Kind kind() throws CliException {
        return Cli.parse("--coder", coder, Kind::parse);
    }

    /** The code normalization {@code --code-normalization} names (crosscoder by default). */
    CodeNormalization normalization() throws CliException {
        return codeNormalization == null
                ? CodeNormalization.CROSSCODER
                : Cli.parse("--code-normalization", codeNormalization, CodeNormalization::parse);
    }

    /** {@code --dead-tokens}, or dictionary_learning's default. */
    long deadTokens() throws CliException {
        long n = deadTokens == null ? DictionaryLearningAuxKLoss.DEFAULT_DEAD_TOKENS : deadTokens;
        Cli.require(n >= 1, "--dead-tokens must be >= 1, was " + n);
        return n;
    }

    /** A crosscoder's layers: the comma-separated names of {@code --name}, in order. */
    static List<String> layers(String name) throws CliException {
        Cli.require(
                name != null && name.contains(","),
                "--coder crosscoder reads several layers side by side: name them in --name, comma-separated "
                        + "(--data runs/h --name residual:2,residual:4), taps of one harvest or arrays of one file");
        List<String> layers =
                Arrays.stream(name.split(",", -1)).map(String::trim).toList();
        Cli.require(
                layers.stream().noneMatch(String::isEmpty),
                "--name " + name + ": a crosscoder's layer names are separated by single commas, none empty");
        Cli.require(
                layers.stream().distinct().count() == layers.size(),
                "--name " + name + " names a layer twice; a crosscoder reads each layer once");
        return layers;
    }

    /**
     * The coder of this kind, before its widths are known: a crosscoder's layers and normalization are
     * complete; a transcoder's output width is a placeholder (the losses do not read it).
     */
    CoderSpec provisional(Kind kind, String name) throws CliException {
        return switch (kind) {
            case AUTOENCODER -> new CoderSpec.Autoencoder();
            case TRANSCODER, SKIP_TRANSCODER -> new CoderSpec.Transcoder(1, kind == Kind.SKIP_TRANSCODER);
            case CROSSCODER -> new CoderSpec.Crosscoder(layers(name).size(), normalization());
        };
    }

    /**
     * Refuses, naming the option and what to do, every option this run would ignore or could not
     * honour for coder {@code kind} of {@code variant}: a transcoder's target, a crosscoder's
     * normalization and the dictionary_learning AuxK's threshold where they do not apply; and, for a
     * transcoder or crosscoder, the centring, scaling, encoder and dictionary options of autoencoders,
     * and the variants without an encoder of their own.
     */
    void check(Kind kind, VariantSpec variant, String auxKind, boolean center, Path data, ParseResult given)
            throws CliException {
        if (given.hasMatchedOption("--dead-tokens") && !auxKind.equals("auxk_dl")) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE, "--dead-tokens applies to --aux auxk_dl, not to --aux " + auxKind);
        }
        if (!kind.transcoder()) {
            for (String option : List.of("--target", "--target-name")) {
                Cli.require(
                        !given.hasMatchedOption(option),
                        option + " is a transcoder's target; it does not apply to --coder " + kind.label
                                + (kind == Kind.CROSSCODER
                                        ? " (a crosscoder reconstructs its own layers: name them all in --name A,B)"
                                        : " (give --coder transcoder or skip-transcoder)"));
            }
        }
        if (kind != Kind.CROSSCODER) {
            Cli.require(
                    !given.hasMatchedOption("--code-normalization"),
                    "--code-normalization weighs a crosscoder's latents by their per-layer decoder norms; it does "
                            + "not apply to --coder " + kind.label);
        }
        if (kind == Kind.AUTOENCODER) {
            return;
        }
        Cli.require(
                data != null,
                "--coder " + kind.label + " needs --data: the embedded word vectors have no "
                        + (kind == Kind.CROSSCODER ? "layers" : "target"));
        if (kind.transcoder()) {
            Cli.require(
                    target != null || targetName != null,
                    "--coder " + kind.label + " predicts another activation of the same rows: give --target-name "
                            + "NAME (an array or tap of --data, e.g. --name mlp_in:3 --target-name mlp_out:3) "
                            + "and/or --target PATH (another file or directory of as many rows)");
        }
        if (!variant.usesEncoder()) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--variant " + variant.name() + " encodes with its dictionary alone (a pursuit over the input), "
                            + "and a " + kind.label + " needs a learned encoder from its input to its latents: use "
                            + "topk, batchtopk, jumprelu, vanilla or matryoshka");
        }
        if (variant instanceof MsaeSpec) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--variant msae keeps an encoder and decoder layout of its own, and a " + kind.label
                            + " uses the SAELens layout (W_enc, b_enc, W_dec, b_dec): use matryoshka for nested "
                            + "dictionaries, or topk, batchtopk, jumprelu, vanilla");
        }
        if (given.hasMatchedOption("--center") && center) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--center does not apply to --coder " + kind.label + ": it learns its offsets (b_enc, b_dec) "
                            + "and reads the rows as stored, input and target alike; leave --center out");
        }
        Cli.require(
                !given.hasMatchedOption("--scale"),
                "--scale does not apply to --coder " + kind.label + ": its input and its "
                        + (kind == Kind.CROSSCODER ? "layers" : "target")
                        + " would each need their own factor; scale the activations before training, or leave --scale"
                        + " out");
        for (String option : List.of("--encoder", "--normalization", "--multiplier", "--archetypal", "--delta")) {
            Cli.require(
                    !given.hasMatchedOption(option),
                    option + " does not apply to --coder " + kind.label + ": transcoders and crosscoders use the "
                            + "SAELens layout, a linear encoder (x W_enc + b_enc) and a plain decoder matrix W_dec");
        }
    }

    /**
     * The reconstruction loss of a transcoder or crosscoder from {@code --loss} ({@code lossOption},
     * null when not given) and {@code --l1}: a transcoder's is an autoencoder's ({@code mse},
     * {@code mse_l1}) or sparsify's {@code fvu}; a crosscoder's is {@code layer_l2} (the default),
     * {@code mse} or {@code fvu}, plus the decoder-weighted L1 for the variants whose sparsity comes
     * from the loss. With neither option given it is the engine's default, {@link
     * Losses#defaultFor(VariantSpec, CoderSpec)}. The nested variants' loss replaces it ({@link
     * ModelFactory#loss}).
     */
    static Loss reconstruction(VariantSpec variant, CoderSpec coder, String lossOption, double l1, ParseResult given)
            throws CliException {
        boolean l1Given = given.hasMatchedOption("--l1");
        boolean crosscoder = coder instanceof CoderSpec.Crosscoder;
        String kind = crosscoder ? "crosscoder" : "transcoder";
        if (lossOption != null && variant.nested()) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--loss does not apply to --variant " + variant.name()
                            + ", which trains on its nested loss (see --level-loss and --level-weights)");
        }
        if (lossOption == null && !l1Given) {
            return Losses.defaultFor(variant, coder);
        }
        String name = lossOption == null
                ? crosscoder ? "layer_l2" : ModelFactory.defaultLoss(variant)
                : lossOption.toLowerCase(Locale.ROOT).replace('-', '_');
        String accepted = crosscoder ? "layer_l2, mse, fvu" : "mse, mse_l1, fvu";
        Loss error = switch (name) {
            case "mse" -> Losses.mse();
            case "fvu" -> new CoderLosses.Fvu();
            case "mse_l1" -> {
                Cli.require(
                        !crosscoder,
                        "--loss mse_l1 does not apply to a crosscoder, whose L1 term weighs each latent by its "
                                + "decoder norms: give --loss " + accepted + ", and --l1 for that term's weight");
                yield Losses.mseL1(l1);
            }
            case "layer_l2" -> {
                Cli.require(
                        crosscoder,
                        "--loss layer_l2 measures a crosscoder's error layer by layer; a transcoder trains on "
                                + accepted);
                yield new CoderLosses.LayerL2(((CoderSpec.Crosscoder) coder).layers());
            }
            default ->
                throw new CliException(
                        SaekitCli.EXIT_USAGE,
                        "--loss: unknown '" + lossOption + "'; accepted for a " + kind + ": " + accepted);
        };
        if (l1Given) {
            boolean hasL1 = crosscoder ? variant.sparsityFromLoss() && !variant.nested() : name.equals("mse_l1");
            Cli.require(
                    hasL1,
                    crosscoder
                            ? "--l1 weighs a crosscoder's decoder-weighted L1 term, which --variant " + variant.name()
                                    + " does not train with (its sparsity is its own)"
                            : "--l1 weighs the L1 term of --loss mse_l1, and the loss here is " + name);
        }
        if (crosscoder && variant.sparsityFromLoss()) {
            CoderSpec.Crosscoder c = (CoderSpec.Crosscoder) coder;
            double lambda = l1Given ? l1 : Losses.DEFAULT_CROSSCODER_L1;
            return error.plus(Cli.build(() -> new CoderLosses.WeightedL1(lambda, c.layers(), c.normalization())));
        }
        return error;
    }

    /** Records this run's target (the coder itself is in the model's spec) for {@code --resume}. */
    void record(ObjectNode cli) {
        cli.put("target", target == null ? null : target.toString());
        cli.put("target_name", targetName);
    }

    /** Sets the target of a resumed run from its recorded {@code cli} section. */
    void restore(JsonNode cli) {
        target = cli.hasNonNull("target") ? Path.of(cli.get("target").asText()) : null;
        targetName = cli.hasNonNull("target_name") ? cli.get("target_name").asText() : null;
    }
}
