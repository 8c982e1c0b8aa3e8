package dev.saekit.cli;

import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import dev.saekit.sweep.LevelKind;
import dev.saekit.sweep.SweepCell;
import dev.saekit.sweep.SweepGrid;
import dev.saekit.sweep.SweepSettings;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of {@code saekit sweep} that make its grid: {@code --variants} and their levels,
 * {@code --k} for the variants swept by k, {@code --l1} and {@code --jump-l1} for those swept by
 * the L1 coefficient of their loss. A level option that no variant reads, a level out of range and
 * a level given twice are refused in the options' words.
 */
final class SweepGridOptions {
    @Option(
            names = "--variants",
            paramLabel = "NAME",
            split = ",",
            defaultValue = "topk,batchtopk,jumprelu,vanilla",
            description = "The variants, comma-separated: any of ${saekit.variant-names}. Default: ${DEFAULT-VALUE}.")
    List<String> variants;

    @Option(
            names = "--k",
            paramLabel = "K",
            split = ",",
            description = "The k levels of the variants swept by k, comma-separated: codes per row of topk, batchtopk "
                    + "and matryoshka, pursuit steps of mp and omp, the largest nesting level of msae (its levels are "
                    + "k/4, k/2, k). Each at most --concepts. Default: 8,16,32,64.")
    List<Integer> k;

    @Option(
            names = "--l1",
            paramLabel = "LAMBDA",
            split = ",",
            description =
                    "The L1 coefficients of vanilla (and of jumprelu without --jump-l1), comma-separated: lambda "
                            + "of mse_l1 = mse + lambda * sum(|z|) over the batch; larger gives a smaller L0. Default: "
                            + "1e-5,2e-5,4e-5,7e-5 (on the embedded vectors with the other defaults: vanilla L0 115 down to 19, jumprelu 83 down to 12).")
    List<Double> l1;

    @Option(
            names = "--jump-l1",
            paramLabel = "LAMBDA",
            split = ",",
            description = "The L1 coefficients of jumprelu, comma-separated. Default: those of --l1.")
    List<Double> jumpL1;

    /** Default levels when --k or --l1 is not given. */
    static final List<Integer> DEFAULT_K = List.of(8, 16, 32, 64);

    static final List<Double> DEFAULT_L1 = List.of(1e-5, 2e-5, 4e-5, 7e-5);

    static {
        System.setProperty(
                "saekit.variant-names",
                String.join(
                        ", ",
                        VariantSpec.kinds().stream().map(VariantKind::name).toList()));
    }

    /** The grid of --variants x their levels; a level option that no variant reads, or a bad level, is refused. */
    SweepGrid grid() throws CliException {
        List<VariantKind> kinds = new ArrayList<>();
        for (String v : variants) {
            if (!v.isBlank()) {
                VariantKind kind = Cli.parse("--variants", v.strip(), VariantSpec::kind);
                Cli.require(!kinds.contains(kind), "--variants names " + kind.name() + " twice");
                kinds.add(kind);
            }
        }
        Cli.require(!kinds.isEmpty(), "--variants names no variant; give at least one, e.g. topk,vanilla");
        boolean anyK = kinds.stream().anyMatch(v -> LevelKind.of(v) == LevelKind.K);
        boolean l1Read =
                kinds.stream().anyMatch(v -> LevelKind.of(v) == LevelKind.L1 && (!isJump(v) || jumpL1 == null));
        Cli.require(
                k == null || anyK,
                "--k sets the k of topk, batchtopk, matryoshka, mp, omp and msae, and --variants names none of them");
        Cli.require(
                l1 == null || l1Read,
                "--l1 sets the L1 coefficient of vanilla (and of jumprelu without --jump-l1), and --variants names "
                        + "no variant that reads it");
        Cli.require(
                jumpL1 == null || kinds.stream().anyMatch(SweepGridOptions::isJump),
                "--jump-l1 sets the L1 coefficients of jumprelu, and --variants does not name it");
        List<Integer> ks = k == null ? DEFAULT_K : k;
        List<Double> l1s = l1 == null ? DEFAULT_L1 : l1;
        List<Double> jumps = jumpL1 == null ? l1s : jumpL1;
        for (int v : ks) {
            Cli.require(v >= 1, "--k values must be >= 1, was " + v);
        }
        for (List<Double> list : List.of(l1s, jumps)) {
            for (double v : list) {
                Cli.require(
                        v >= 0 && Double.isFinite(v),
                        (list == jumpL1 ? "--jump-l1" : "--l1") + " values must be finite and >= 0, was " + v);
            }
        }
        SweepGrid.Builder b = SweepGrid.builder();
        for (VariantKind v : kinds) {
            if (LevelKind.of(v) == LevelKind.K) {
                b.k(v, ks.stream().mapToInt(Integer::intValue).toArray());
            } else {
                b.l1(
                        v,
                        (isJump(v) ? jumps : l1s)
                                .stream().mapToDouble(Double::doubleValue).toArray());
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) { // a level given twice
            throw new CliException(SaekitCli.EXIT_USAGE, e.getMessage().replace("the sweep grid", "the sweep"));
        }
    }

    private static boolean isJump(VariantKind v) {
        return v.name().equals("jumprelu");
    }

    /** Refuses a k that the number of concepts cannot hold, in the options' words, before training. */
    void checkCells(SweepGrid grid, SweepSettings settings, int width) throws CliException {
        for (SweepCell cell : grid.cells()) {
            try {
                cell.modelSpec(settings.saeConfig(width));
            } catch (IllegalArgumentException e) {
                throw new CliException(
                        SaekitCli.EXIT_USAGE,
                        "--k " + cell.level().text() + " does not fit --variants "
                                + cell.variant().name() + " with --concepts " + settings.concepts() + ": "
                                + e.getMessage().replace("(the number of concepts)", "(--concepts)"));
            }
        }
    }

    /** {@code 16 cells: topk k 8,16,32,64; vanilla l1 1e-5,2e-5}: the grid in one line. */
    static String describe(SweepGrid grid) {
        List<String> parts = new ArrayList<>();
        for (VariantKind v : grid.variants()) {
            parts.add(v.name() + " " + LevelKind.of(v).label() + " "
                    + String.join(
                            ",",
                            grid.cells(v).stream().map(c -> c.level().text()).toList()));
        }
        return grid.cells().size() + " cells: " + String.join("; ", parts);
    }
}
