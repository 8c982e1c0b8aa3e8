package dev.saekit.cli;

import java.util.List;
import picocli.CommandLine.Option;

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

    @Option(names = "--aux", paramLabel = "KIND", defaultValue = "none",
            description = "An auxiliary loss term: none, topk_aux (overcomplete's top-k auxiliary term), auxk (AuxK of Gao et al. "
                    + "as SAELens computes it: dead latents explain the residual), auxk_sparsify (sparsify's AuxK), "
                    + "reanimation, mp_revive (matching pursuit). Default: ${DEFAULT-VALUE}.")
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
}
