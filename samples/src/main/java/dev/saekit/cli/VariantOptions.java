package dev.saekit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.InvalidSettingException;
import dev.saekit.model.JumpReluSpec;
import dev.saekit.model.MatryoshkaSae;
import dev.saekit.model.MpSpec;
import dev.saekit.model.OmpSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The options that choose the SAE variant and its settings; shared by every command that builds a
 * model. A variant's settings are its spec record's ({@link VariantKind#settings()}): option
 * {@code --max-iter} sets setting {@code max_iter}, an option that is not given keeps the engine's
 * default, and a variant refuses the options of settings it does not have. The engine's record
 * checks each value; its error is said here in the option's name.
 */
public final class VariantOptions {

    static {
        // the --variant help lists the engine's variants, a line each (picocli reads ${saekit.variants} from the system
        // properties)
        System.setProperty(
                "saekit.variants",
                VariantSpec.kinds().stream()
                        .map(k -> String.format(Locale.ROOT, "  %-11s %s", k.name(), k.description()))
                        .collect(Collectors.joining("\n")));
    }

    @Option(
            names = "--variant",
            paramLabel = "NAME",
            defaultValue = "vanilla",
            description = {"The SAE variant. Default: ${DEFAULT-VALUE}.", "${saekit.variants}"})
    String variant;

    @Option(
            names = "--k",
            paramLabel = "K",
            description = "topk, batchtopk, matryoshka: codes kept per sample (default " + TopKSpec.DEFAULT_K
                    + "); mp, omp: pursuit steps (default " + MpSpec.DEFAULT_STEPS + ").")
    Integer k;

    @Option(
            names = "--momentum",
            paramLabel = "M",
            description = "batchtopk, matryoshka: momentum of the running threshold used in evaluation. Default: "
                    + BatchTopKSpec.DEFAULT_MOMENTUM + ".")
    Double momentum;

    @Option(
            names = "--kernel",
            paramLabel = "NAME",
            description =
                    "jumprelu: pseudo-derivative kernel: rectangle, gaussian, triangular, cosine, epanechnikov, quartic, "
                            + "silverman or cauchy. Default: silverman.")
    String kernel;

    @Option(
            names = "--bandwidth",
            paramLabel = "EPS",
            description = "jumprelu: kernel bandwidth (> 0). Default: " + JumpReluSpec.DEFAULT_BANDWIDTH + ".")
    Float bandwidth;

    @Option(
            names = "--dropout",
            paramLabel = "P",
            description =
                    "mp, omp: probability of dropping each atom for a training forward, in [0, 1). Default: none.")
    Double dropout;

    @Option(
            names = "--max-iter",
            paramLabel = "N",
            description = "omp: iterations of the non-negative least squares per step. Default: "
                    + OmpSpec.DEFAULT_MAX_ITER + ".")
    Integer maxIter;

    @Option(
            names = "--nesting",
            paramLabel = "K",
            split = ",",
            description =
                    "msae: the k of each nesting level, comma-separated. Default: 8,16,32 (those up to --concepts).")
    List<Integer> nesting;

    @Option(
            names = "--prefixes",
            paramLabel = "M",
            split = ",",
            description =
                    "matryoshka: dictionary prefix sizes, comma-separated (the full dictionary is always the last "
                            + "level). Default: concepts/16, concepts/4.")
    List<Integer> prefixes;

    @Option(
            names = "--soft-cap",
            paramLabel = "S",
            description = "msae: soft cap s of s*tanh(z/s) on the codes; 0 turns it off. Default: "
                    + MatryoshkaSae.DEFAULT_SOFT_CAP + ".")
    Double softCap;

    @Option(
            names = "--level-weights",
            paramLabel = "KIND",
            defaultValue = "uw",
            description =
                    "msae, matryoshka: weights of the nested losses: uw (uniform) or rw (largest on the smallest level). "
                            + "Default: ${DEFAULT-VALUE}.")
    String levelWeights;

    @Option(
            names = "--level-loss",
            paramLabel = "KIND",
            defaultValue = "mse",
            description = "msae, matryoshka: loss of each level: mse or nmse. Default: ${DEFAULT-VALUE}.")
    String levelLoss;

    @Option(
            names = "--archetypal",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Any variant but msae: use a relaxed archetypal dictionary over N candidate points picked by k-means "
                            + "on the data (N >= --concepts; 0 = the default dictionary). Default: ${DEFAULT-VALUE}.")
    int archetypal;

    @Option(
            names = "--delta",
            paramLabel = "D",
            defaultValue = "1.0",
            description = "With --archetypal: bound on each atom's relaxation norm. Default: ${DEFAULT-VALUE}.")
    double delta;

    @Option(
            names = "--aux",
            paramLabel = "KIND",
            description =
                    "An auxiliary loss term: none, topk_aux (overcomplete's top-k auxiliary term), auxk (AuxK of Gao et al. "
                            + "as SAELens computes it: dead latents explain the residual), auxk_sparsify (sparsify's AuxK), "
                            + "auxk_dl (dictionary_learning's AuxK, dead after --dead-tokens rows), "
                            + "reanimation, mp_revive (matching pursuit). Default: auxk for topk, batchtopk and matryoshka (keeps "
                            + "concepts from dying; auxk_dl for crosscoders), none for the others.")
    String aux;

    @Option(
            names = "--aux-weight",
            paramLabel = "W",
            description =
                    "Weight of --aux: topk_aux 0.1, auxk, auxk_sparsify and auxk_dl 1/32, reanimation 0.1, mp_revive 0.01 by default.")
    Double auxWeight;

    @Option(
            names = "--aux-k",
            paramLabel = "K",
            defaultValue = "0",
            description =
                    "auxk, auxk_sparsify, auxk_dl: dead latents per row that explain the residual; 0: half the input "
                            + "width (auxk_dl: half the width of one layer). "
                            + "Default: ${DEFAULT-VALUE}.")
    int auxK;

    @Option(
            names = "--aux-window",
            paramLabel = "STEPS",
            defaultValue = "0",
            description =
                    "auxk, auxk_sparsify: a latent is dead when it did not fire in the last window of this many steps; "
                            + "0: the last epoch. Default: ${DEFAULT-VALUE}.")
    long auxWindow;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The variant settings given on the command line, by setting name ({@code max_iter} for {@code --max-iter}). */
    private Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("k", k);
        s.put("momentum", momentum);
        s.put("kernel", kernel);
        s.put("bandwidth", bandwidth);
        s.put("dropout", dropout);
        s.put("max_iter", maxIter);
        s.put("nesting", nesting);
        s.put("prefixes", prefixes);
        s.put("soft_cap", softCap);
        return s;
    }

    static String option(String setting) {
        return "--" + setting.replace('_', '-');
    }

    /** The variant {@code --variant} names. */
    VariantKind kind() throws CliException {
        return Cli.parse("--variant", variant, VariantSpec::kind);
    }

    /**
     * The variant's spec for a model of {@code config}: the engine's defaults, with the settings given
     * on the command line; a value out of range is refused in the option's name.
     */
    VariantSpec spec(VariantKind kind, SaeConfig config) throws CliException {
        return withSettings(kind, config, settings());
    }

    /**
     * The engine's defaults of {@code kind} for {@code config}, with the non-null {@code given}
     * settings (by setting name) that the variant reads laid over them; errors in the command line's words.
     */
    static VariantSpec withSettings(VariantKind kind, SaeConfig config, Map<String, Object> given) throws CliException {
        ObjectNode n = VariantSpec.toJson(kind.defaults().apply(config), JSON.createObjectNode());
        for (Map.Entry<String, Object> e : given.entrySet()) {
            if (e.getValue() != null && kind.reads(e.getKey())) {
                n.set(e.getKey(), JSON.valueToTree(e.getValue()));
            }
        }
        try {
            return VariantSpec.fromJson(n, "--variant " + kind.name());
        } catch (InvalidSettingException e) {
            throw invalid(e);
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_USAGE, e.getMessage());
        }
    }

    /** An engine setting error in the words of the command line: the option, and --concepts for the number of concepts. */
    static CliException invalid(InvalidSettingException e) {
        return new CliException(
                SaekitCli.EXIT_USAGE,
                option(e.setting()) + " must be " + e.requirement().replace("(the number of concepts)", "(--concepts)")
                        + ", was " + e.value());
    }

    /** The auxiliary term: {@code --aux}, else AuxK for the variants that select their codes by top-k, else none. */
    String auxKind(VariantSpec v) {
        return auxKind(v, new CoderSpec.Autoencoder());
    }

    /** {@link #auxKind(VariantSpec)} for a model of {@code coder}: dictionary_learning's AuxK for a crosscoder. */
    String auxKind(VariantSpec v, CoderSpec coder) {
        if (aux != null) {
            return aux.toLowerCase(Locale.ROOT);
        }
        if (!v.selectsTopK()) {
            return "none";
        }
        return coder instanceof CoderSpec.Crosscoder ? "auxk_dl" : "auxk";
    }

    /**
     * Refuses, naming the option, every option given on the command line ({@code spec}'s parse) that
     * the variant does not read, and every value out of range.
     */
    void check(VariantKind kind, VariantSpec v, CommandSpec spec) throws CliException {
        check(kind, v, spec, new CoderSpec.Autoencoder());
    }

    /** {@link #check(VariantKind, VariantSpec, CommandSpec)} for a model of {@code coder}. */
    void check(VariantKind kind, VariantSpec v, CommandSpec spec, CoderSpec coder) throws CliException {
        ParseResult given = spec.commandLine().getParseResult();
        for (String setting : settings().keySet()) {
            if (given.hasMatchedOption(option(setting)) && !kind.reads(setting)) {
                throw new CliException(
                        SaekitCli.EXIT_USAGE,
                        option(setting) + " does not apply to --variant " + kind.name()
                                + " (it is read by "
                                + VariantSpec.kinds().stream()
                                        .filter(x -> x.reads(setting))
                                        .map(VariantKind::name)
                                        .collect(Collectors.joining(", "))
                                + ")");
            }
        }
        for (String option : List.of("--level-weights", "--level-loss")) {
            if (given.hasMatchedOption(option) && !v.nested()) {
                throw new CliException(
                        SaekitCli.EXIT_USAGE,
                        option + " does not apply to --variant " + kind.name()
                                + " (it is read by the nested variants: "
                                + VariantSpec.kinds().stream()
                                        .filter(x -> x.defaults()
                                                .apply(SaeConfig.of(1, 64))
                                                .nested()) // a kind's defaults tell its nature
                                        .map(VariantKind::name)
                                        .collect(Collectors.joining(", "))
                                + ")");
            }
        }
        if (given.hasMatchedOption("--delta") && archetypal == 0) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--delta bounds the archetypal dictionary's relaxation: give --archetypal N too");
        }
        String auxKind = auxKind(v, coder);
        boolean auxK = auxKind.equals("auxk") || auxKind.equals("auxk_sparsify");
        if (given.hasMatchedOption("--aux-window") && !auxK) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--aux-window applies to --aux auxk and auxk_sparsify, not to --aux " + auxKind
                            + (auxKind.equals("auxk_dl") ? " (which counts rows: see --dead-tokens)" : ""));
        }
        if (given.hasMatchedOption("--aux-k") && !auxK && !auxKind.equals("auxk_dl")) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--aux-k applies to --aux auxk, auxk_sparsify and auxk_dl, not to --aux " + auxKind);
        }
        if (given.hasMatchedOption("--aux-weight") && auxKind.equals("none")) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--aux-weight weighs the --aux term, and --aux is none for --variant " + kind.name());
        }
        Cli.require(archetypal >= 0, "--archetypal must be >= 0 (0: the default dictionary), was " + archetypal);
        Cli.require(delta > 0 && Double.isFinite(delta), "--delta must be finite and > 0, was " + delta);
    }
}
