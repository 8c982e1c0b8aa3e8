package dev.saekit.cli;

import dev.saekit.model.Variant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * The options that choose the SAE variant and its settings; shared by every command that builds a
 * model. Each option says which variants read it; the others ignore it.
 */
public final class VariantOptions {

    @Option(names = "--variant", paramLabel = "NAME", defaultValue = "vanilla",
            description = {"The SAE variant. Default: ${DEFAULT-VALUE}.",
                "  vanilla     ReLU codes, sparsity from the loss (mse_l1)",
                "  topk        the k largest codes per sample",
                "  batchtopk   k codes per sample on average, chosen over the whole batch",
                "  jumprelu    learned per-concept thresholds (kernel pseudo-derivative)",
                "  mp          matching pursuit: k greedy steps over the dictionary",
                "  omp         orthogonal matching pursuit: k steps with non-negative least squares",
                "  msae        Matryoshka of the MSAE paper: nested k (--nesting) over one dictionary",
                "  matryoshka  Matryoshka over nested dictionary prefixes (--prefixes), BatchTopK codes"})
    String variant;

    @Option(names = "--k", paramLabel = "K",
            description = "topk, batchtopk, matryoshka: codes kept per sample (default 16); mp, omp: pursuit steps (default 8).")
    Integer k;

    @Option(names = "--momentum", paramLabel = "M", defaultValue = "0.9",
            description = "batchtopk, matryoshka: momentum of the running threshold used in evaluation. Default: ${DEFAULT-VALUE}.")
    double momentum;

    @Option(names = "--kernel", paramLabel = "NAME", defaultValue = "silverman",
            description = "jumprelu: pseudo-derivative kernel: rectangle, gaussian, triangular, cosine, epanechnikov, quartic, "
                    + "silverman or cauchy. Default: ${DEFAULT-VALUE}.")
    String kernel;

    @Option(names = "--bandwidth", paramLabel = "EPS", defaultValue = "1e-3",
            description = "jumprelu: kernel bandwidth (> 0). Default: ${DEFAULT-VALUE}.")
    float bandwidth;

    @Option(names = "--dropout", paramLabel = "P",
            description = "mp, omp: probability of dropping each atom for a training forward, in [0, 1). Default: none.")
    Double dropout;

    @Option(names = "--max-iter", paramLabel = "N", defaultValue = "10",
            description = "omp: iterations of the non-negative least squares per step. Default: ${DEFAULT-VALUE}.")
    int maxIter;

    @Option(names = "--nesting", paramLabel = "K", split = ",",
            description = "msae: the k of each nesting level, comma-separated. Default: 8,16,32.")
    List<Integer> nesting;

    @Option(names = "--prefixes", paramLabel = "M", split = ",",
            description = "matryoshka: dictionary prefix sizes, comma-separated (the full dictionary is always the last "
                    + "level). Default: concepts/16, concepts/4.")
    List<Integer> prefixes;

    @Option(names = "--soft-cap", paramLabel = "S", defaultValue = "30",
            description = "msae: soft cap s of s*tanh(z/s) on the codes; 0 turns it off. Default: ${DEFAULT-VALUE}.")
    double softCap;

    @Option(names = "--level-weights", paramLabel = "KIND", defaultValue = "uw",
            description = "msae, matryoshka: weights of the nested losses: uw (uniform) or rw (largest on the smallest level). "
                    + "Default: ${DEFAULT-VALUE}.")
    String levelWeights;

    @Option(names = "--level-loss", paramLabel = "KIND", defaultValue = "mse",
            description = "msae, matryoshka: loss of each level: mse or nmse. Default: ${DEFAULT-VALUE}.")
    String levelLoss;

    @Option(names = "--archetypal", paramLabel = "N", defaultValue = "0",
            description = "Any variant but msae: use a relaxed archetypal dictionary over N candidate points picked by k-means "
                    + "on the data (N >= --concepts; 0 = the default dictionary). Default: ${DEFAULT-VALUE}.")
    int archetypal;

    @Option(names = "--delta", paramLabel = "D", defaultValue = "1.0",
            description = "With --archetypal: bound on each atom's relaxation norm. Default: ${DEFAULT-VALUE}.")
    double delta;

    @Option(names = "--aux", paramLabel = "KIND",
            description = "An auxiliary loss term: none, topk_aux (overcomplete's top-k auxiliary term), auxk (AuxK of Gao et al. "
                    + "as SAELens computes it: dead latents explain the residual), auxk_sparsify (sparsify's AuxK), "
                    + "reanimation, mp_revive (matching pursuit). Default: auxk for topk, batchtopk and matryoshka (keeps "
                    + "concepts from dying), none for the others.")
    String aux;

    @Option(names = "--aux-weight", paramLabel = "W",
            description = "Weight of --aux: topk_aux 0.1, auxk and auxk_sparsify 1/32, reanimation 0.1, mp_revive 0.01 by default.")
    Double auxWeight;

    @Option(names = "--aux-k", paramLabel = "K", defaultValue = "0",
            description = "auxk, auxk_sparsify: dead latents per row that explain the residual; 0: half the input width. "
                    + "Default: ${DEFAULT-VALUE}.")
    int auxK;

    @Option(names = "--aux-window", paramLabel = "STEPS", defaultValue = "0",
            description = "auxk, auxk_sparsify: a latent is dead when it did not fire in the last window of this many steps; "
                    + "0: the last epoch. Default: ${DEFAULT-VALUE}.")
    long auxWindow;

    /** The variants that read each option of this class; the others refuse it. */
    private static final Map<String, Set<Variant>> READ_BY = Map.ofEntries(
            Map.entry("--k", EnumSet.of(Variant.TOPK, Variant.BATCHTOPK, Variant.MATRYOSHKA, Variant.MP, Variant.OMP)),
            Map.entry("--momentum", EnumSet.of(Variant.BATCHTOPK, Variant.MATRYOSHKA)),
            Map.entry("--kernel", EnumSet.of(Variant.JUMPRELU)),
            Map.entry("--bandwidth", EnumSet.of(Variant.JUMPRELU)),
            Map.entry("--dropout", EnumSet.of(Variant.MP, Variant.OMP)),
            Map.entry("--max-iter", EnumSet.of(Variant.OMP)),
            Map.entry("--nesting", EnumSet.of(Variant.MSAE)),
            Map.entry("--soft-cap", EnumSet.of(Variant.MSAE)),
            Map.entry("--prefixes", EnumSet.of(Variant.MATRYOSHKA)),
            Map.entry("--level-weights", EnumSet.of(Variant.MSAE, Variant.MATRYOSHKA)),
            Map.entry("--level-loss", EnumSet.of(Variant.MSAE, Variant.MATRYOSHKA)),
            Map.entry("--archetypal", EnumSet.complementOf(EnumSet.of(Variant.MSAE))));

    /** {@code --k}, else its default: 8 pursuit steps for mp and omp, 16 codes per sample for the others. */
    int k(Variant v) {
        return k != null ? k : (v == Variant.MP || v == Variant.OMP ? 8 : 16);
    }

    /** The auxiliary term: {@code --aux}, else AuxK for the variants that keep k codes, else none. */
    String auxKind(Variant v) {
        if (aux != null) {
            return aux.toLowerCase(Locale.ROOT);
        }
        return v == Variant.TOPK || v == Variant.BATCHTOPK || v == Variant.MATRYOSHKA ? "auxk" : "none";
    }

    /**
     * Refuses, naming the option, every option given on the command line ({@code spec}'s parse) that
     * {@code v} does not read, and every value out of range for a model of {@code concepts} concepts.
     */
    void check(Variant v, CommandSpec spec, int concepts) throws CliException {
        ParseResult given = spec.commandLine().getParseResult();
        for (Map.Entry<String, Set<Variant>> e : READ_BY.entrySet()) {
            if (given.hasMatchedOption(e.getKey()) && !e.getValue().contains(v)) {
                throw new CliException(SaekitCli.EXIT_USAGE, e.getKey() + " does not apply to --variant " + v.label() + " (it is read by "
                        + e.getValue().stream().map(Variant::label).collect(Collectors.joining(", ")) + ")");
            }
        }
        if (given.hasMatchedOption("--delta") && archetypal == 0) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--delta bounds the archetypal dictionary's relaxation: give --archetypal N too");
        }
        String kind = auxKind(v);
        boolean auxK = kind.equals("auxk") || kind.equals("auxk_sparsify");
        for (String option : List.of("--aux-k", "--aux-window")) {
            if (given.hasMatchedOption(option) && !auxK) {
                throw new CliException(SaekitCli.EXIT_USAGE, option + " applies to --aux auxk and auxk_sparsify, not to --aux " + kind);
            }
        }
        if (given.hasMatchedOption("--aux-weight") && kind.equals("none")) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--aux-weight weighs the --aux term, and --aux is none for --variant " + v.label());
        }
        if (READ_BY.get("--k").contains(v)) {
            int effective = k(v);
            boolean atMostConcepts = v != Variant.MP; // matching pursuit may pick an atom more than once
            String bound = atMostConcepts ? "in 1.." + concepts + " (--concepts)" : ">= 1";
            Cli.require(effective >= 1 && (!atMostConcepts || effective <= concepts), "--k must be " + bound + ", was " + effective
                    + (k == null ? " (the default for " + v.label() + "; give --k)" : ""));
        }
        Cli.require(momentum >= 0 && momentum < 1, "--momentum must be in [0, 1), was " + momentum);
        Cli.require(bandwidth > 0 && Float.isFinite(bandwidth), "--bandwidth must be finite and > 0, was " + bandwidth);
        Cli.require(dropout == null || (dropout >= 0 && dropout < 1), "--dropout must be in [0, 1), was " + dropout);
        Cli.require(maxIter >= 1, "--max-iter must be >= 1, was " + maxIter);
        Cli.require(softCap >= 0 && Double.isFinite(softCap), "--soft-cap must be finite and >= 0 (0 turns it off), was " + softCap);
        Cli.require(archetypal >= 0, "--archetypal must be >= 0 (0: the default dictionary), was " + archetypal);
        Cli.require(delta > 0 && Double.isFinite(delta), "--delta must be finite and > 0, was " + delta);
        if (nesting != null) {
            for (int level : nesting) {
                Cli.require(level >= 1 && level <= concepts, "--nesting: each k must be in 1.." + concepts + " (--concepts), was " + level);
            }
        }
        if (prefixes != null) {
            for (int m : prefixes) {
                Cli.require(m >= 1 && m < concepts, "--prefixes: each size must be in 1.." + (concepts - 1)
                        + " (below --concepts, whose full dictionary is the last level), was " + m);
            }
        }
    }
}
