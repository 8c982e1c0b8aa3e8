package dev.saekit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.data.Dataset;
import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.model.CodePath;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.InvalidSettingException;
import dev.saekit.model.JumpSae;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.BlasLibrary;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.MemoryBudget;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.AuxKLoss;
import dev.saekit.train.Loss;
import dev.saekit.train.Losses;
import dev.saekit.train.MemoryEstimate;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.StepState;
import dev.saekit.train.TopKAuxiliaryLoss;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingContext;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.TrainingResult;
import dev.saekit.train.listeners.DeadCodeTracker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saekit bench}: times training steps of one variant on synthetic data (Adam, MSE, clipping
 * 1.0, as the reference measurement) and prints one JSON object: the median seconds per step over
 * the measured steps, samples per second, the process's peak resident memory, and the time of the
 * encoder's dense product {@code x W^T} alone, measured separately with the same shapes. With
 * {@code --coder}, the model is a transcoder, skip transcoder or crosscoder of the same input width
 * (and the same loss, the MSE against its target), so that its steps compare with a plain SAE's.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Time training steps of an SAE on synthetic data and print one JSON object.",
            "Defaults: TopK (k 32), input 768, 16,384 concepts, batch 1,024, Adam, MSE, clipping 1.0."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "2:bad command line or option value",
            "3:training diverged",
            "4:not enough memory for the run"
        })
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--variant",
            paramLabel = "NAME",
            defaultValue = "topk",
            description = "vanilla, topk, batchtopk, jumprelu, mp, omp, msae or matryoshka. Default: ${DEFAULT-VALUE}.")
    String variant;

    @Option(
            names = "--coder",
            paramLabel = "KIND",
            defaultValue = "autoencoder",
            description =
                    "autoencoder, transcoder, skip-transcoder or crosscoder, of the same --input width (a crosscoder's "
                            + "--input is all its --layers side by side); every coder trains on the MSE against its "
                            + "target here, so that step times compare the models. Default: ${DEFAULT-VALUE}.")
    String coder;

    @Option(
            names = "--output",
            paramLabel = "D",
            description = "Transcoders: the width of the predicted activation. Default: --input.")
    Integer output;

    @Option(
            names = "--layers",
            paramLabel = "L",
            description = "Crosscoders: the layers side by side in --input (a divisor of it). Default: 2.")
    Integer layers;

    @Option(
            names = "--input",
            paramLabel = "D",
            defaultValue = "768",
            description = "Input width. Default: ${DEFAULT-VALUE}.")
    int input;

    @Option(
            names = "--concepts",
            paramLabel = "C",
            defaultValue = "16384",
            description = "Number of concepts. Default: ${DEFAULT-VALUE}.")
    int concepts;

    @Option(
            names = "--k",
            paramLabel = "K",
            defaultValue = "32",
            description =
                    "The k of the variants that have one (TopK's k, BatchTopK's and Matryoshka's k per sample, the "
                            + "pursuits' steps): the peers' benchmark recipe. Every other setting is the engine's default (MSAE: "
                            + "levels 8, 16, 32). Default: ${DEFAULT-VALUE}.")
    int k;

    @Option(
            names = "--batch",
            paramLabel = "B",
            defaultValue = "1024",
            description = "Rows per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(
            names = "--steps",
            paramLabel = "N",
            defaultValue = "20",
            description = "Measured steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "3",
            description = "Steps run first and not measured (JIT, first allocations). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Threads for ND4J's native operations and saekit's own kernels; 0: every core. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--dtype",
            paramLabel = "TYPE",
            defaultValue = "float32",
            description = "float32 or float64. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "0",
            description = "Seed of the weights and the data. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
            names = "--aux",
            paramLabel = "KIND",
            defaultValue = "none",
            description =
                    "An auxiliary loss term added to the MSE: none, auxk (AuxK of SAELens, k_aux = input/2, coefficient "
                            + "1/32; its gradient reaches the encoder), auxk_sparsify (sparsify's AuxK: ReLU'd pre-codes, "
                            + "divided by the batch's variance, no gradient into the encoder) or topk_aux (overcomplete's). "
                            + "Default: ${DEFAULT-VALUE}.")
    String aux;

    @Option(
            names = "--dead-window",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "auxk: steps of the dead-code window (a concept is dead if it did not fire in the last window). "
                            + "1 makes the concepts that the previous step left unused dead, so AuxK works at every step. "
                            + "Default: ${DEFAULT-VALUE}.")
    long deadWindow;

    @Option(
            names = "--dead-fraction",
            paramLabel = "F",
            description =
                    "auxk, auxk_sparsify: instead of a window, this fraction of the concepts (chosen at random from "
                            + "--seed) is dead at every step, whatever fires, as the sparsify benchmark freezes its dead "
                            + "counter at 0.1; every step then does the same AuxK work.")
    Double deadFraction;

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description =
                    "Train the measured steps on these rows instead of synthetic ones, read as train --data reads "
                            + "them: one file loaded into memory, or a directory or glob of shards streamed from disk "
                            + "(read ahead on a background thread); --input is then the data's width.")
    java.nio.file.Path data;

    @Option(
            names = "--product-runs",
            paramLabel = "N",
            defaultValue = "5",
            description =
                    "Times the encoder's dense product x W^T (batch x input by input x concepts) is timed alone, after "
                            + "one untimed call; the JSON gives each run, their median and its GFLOP/s. Default: "
                            + "${DEFAULT-VALUE}.")
    int productRuns;

    @Option(
            names = "--product-only",
            defaultValue = "false",
            description = "Time the encoder's dense product alone (--product-runs times) and train nothing: the BLAS's "
                    + "speed on this machine now. Default: ${DEFAULT-VALUE}.")
    boolean productOnly;

    @Option(
            names = "--l1",
            paramLabel = "COEF",
            description = "vanilla, jumprelu: the coefficient of the L1 penalty lambda * sum(|z|) added to the MSE "
                    + "(their sparsity penalty, as saekit train uses it). Default: the engine's, 4e-5.")
    Double l1;

    @Option(
            names = "--l0",
            paramLabel = "N",
            description = "vanilla, jumprelu: start the benchmarked model at about N non-zero codes per row. Before "
                    + "the first step, q = the (1 - N/concepts) quantile of the first batch's pre-codes (over a "
                    + "strided sample of at most 2^20 of them); vanilla's encoder bias is lowered by q, jumprelu's "
                    + "thresholds are all set to q (which must be > 0: N below half the concepts). Training then moves "
                    + "the L0; mean_l0 reports it. Default: the engine's initialisation (about half the codes fire).")
    Integer l0;

    @Option(
            names = "--path",
            paramLabel = "PATH",
            defaultValue = "auto",
            description =
                    "vanilla, jumprelu: auto (the sparse path, on the non-zero codes, for a batch whose codes are "
                            + "few enough, else the dense products), sparse or dense (forced). Default: ${DEFAULT-VALUE}.")
    String path;

    /** The rows trained on, closed (stopping any read-ahead) when the bench ends. */
    private BenchData rows;

    @Override
    public Integer call() {
        try {
            return Cli.run(spec, this::bench);
        } finally {
            if (rows != null) {
                rows.close();
            }
        }
    }

    private int bench() throws CliException, IOException {
        Cli.require(input > 0, "--input must be > 0, was " + input);
        Cli.require(concepts > 0, "--concepts must be > 0, was " + concepts);
        Cli.require(batch > 0, "--batch must be > 0, was " + batch);
        Cli.require(steps > 0, "--steps must be > 0, was " + steps);
        Cli.require(warmup >= 0, "--warmup must be >= 0, was " + warmup);
        Cli.require(threads >= 0, "--threads must be >= 0 (0: every core), was " + threads);
        VariantKind v = Cli.parse("--variant", variant, VariantSpec::kind);
        DType type = Cli.parse("--dtype", dtype, DType::parse);
        if (data != null) { // read first: the data fixes --input
            rows = BenchData.read(data, type, batch, warmup + steps, seed);
            boolean inputGiven = spec.commandLine().getParseResult().hasMatchedOption("--input");
            Cli.require(
                    !inputGiven || input == rows.cols(),
                    "--input " + input + " differs from the width of --data " + data + ", " + rows.cols()
                            + "; leave --input out");
            input = rows.cols();
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int used = threads == 0 ? cores : threads;
        // saekit's kernels run on the common fork-join pool; ND4J's on its own OpenMP threads
        System.setProperty(
                "java.util.concurrent.ForkJoinPool.common.parallelism", String.valueOf(Math.max(1, used - 1)));
        Nd4j.getEnvironment().setMaxThreads(used);
        Nd4j.getEnvironment().setMaxMasterThreads(used);
        Cli.require(productRuns > 0, "--product-runs must be > 0, was " + productRuns);
        if (productOnly) {
            return productOnly(type, cores, used);
        }

        SaeConfig config = new SaeConfig(input, concepts, EncoderKind.LINEAR, DictionaryConfig.defaults(), type, seed);
        CoderSpec coderSpec = coderSpec();
        ModelSpec modelSpec = modelSpec(v, config, coderSpec);
        int width = modelSpec.rowWidth(); // a transcoder's synthetic rows hold its input, then its target
        Cli.require(
                rows == null || coderSpec instanceof CoderSpec.Autoencoder || coderSpec instanceof CoderSpec.Crosscoder,
                "--data gives one array of rows: bench a transcoder on synthetic rows, or an autoencoder or "
                        + "crosscoder on --data");
        try { // refused before anything large is allocated
            MemoryEstimate.checkBeforeBuilding(
                    modelSpec,
                    batch,
                    rows != null ? rows.memoryBytes(batch) : 2L * 4 * batch * width * (type == DType.FLOAT64 ? 8 : 4));
        } catch (IllegalArgumentException e) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--concepts " + concepts + ", --input " + input + ", --batch " + batch + ": " + e.getMessage());
        }
        SparseAutoencoder model = Cli.build(modelSpec::build);
        int total = warmup + steps;
        if (rows == null) {
            rows = BenchData.synthetic(
                    new RepeatedBatches(
                            new SeededRandom(seed).derive(1).normal(type, 1.0, 4L * batch, width), batch, total),
                    batch,
                    total,
                    seed);
        }
        Dataset data = rows;
        DeadCodeTracker deadCodes = deadCodes();
        TrainingConfig training = TrainingConfig.builder()
                .epochs(1)
                .batchSize(batch)
                .optimizer(OptimizerConfig.adam(5e-4))
                .clipNorm(1.0)
                .loss(withPenalty(modelSpec, loss(deadCodes)))
                .shuffle(true) // the bench's batches: synthetic ones repeated, or --data's shuffled epochs
                .seed(seed)
                .build();
        double[] sparsity = startSparse(modelSpec, model, data);
        StepTimes times = new StepTimes(warmup, deadCodes);
        Trainer trainer = new Trainer(training, times);
        times.trainer = trainer;
        times.model = model;
        TrainingResult result = trainer.fit(model, data);
        if (!result.completed()) {
            throw new CliException(SaekitCli.EXIT_DIVERGED, result.message());
        }
        double[] measured = Arrays.copyOfRange(times.seconds(), warmup, total);
        double median = median(measured);
        long trainingPeakRssMb = peakRssMb(); // before the product's own arrays are allocated
        double[] gemmRuns = encoderGemmSeconds(
                model.dtype(),
                model.nbConcepts(),
                model.inputOf(data.batchesInOrder(batch).iterator().next()).dup());
        double gemm = median(gemmRuns);

        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("variant", v.name());
        json.put("coder", coderLabel(coderSpec));
        json.put("input", input);
        json.put("output", modelSpec.outputDim());
        if (coderSpec instanceof CoderSpec.Crosscoder c) {
            json.put("layers", c.layers());
        }
        json.put("concepts", concepts);
        json.put("k", v.reads("k") ? k : null);
        json.put("batch", batch);
        json.put("steps", steps);
        json.put("warmup", warmup);
        json.put("threads", used);
        json.put("dtype", type.toString());
        json.put("aux", aux.toLowerCase(java.util.Locale.ROOT));
        if (isAuxK()) {
            if (deadFraction != null) {
                json.put("dead_fraction_frozen", deadFraction);
            } else {
                json.put("dead_window", deadWindow);
            }
            json.put("mean_dead_fraction", round(times.meanDeadFraction()));
        }
        putSparsity(json, modelSpec, sparsity, times);
        json.put("median_s_per_step", round(median));
        json.put("min_s_per_step", round(Arrays.stream(measured).min().orElseThrow()));
        json.put("max_s_per_step", round(Arrays.stream(measured).max().orElseThrow()));
        json.put("samples_per_s", Math.round(batch / median * 10) / 10.0);
        json.put("peak_rss_mb", trainingPeakRssMb);
        json.put("memory_estimate_mb", MemoryEstimate.of(model, data, training).total() >> 20);
        putProduct(json, gemmRuns, input);
        json.put("encoder_gemm_share", round(gemm / median));
        ObjectNode phases = json.putObject("phase_s_per_step");
        double[] end = trainer.phaseSeconds();
        for (Trainer.Phase p : Trainer.Phase.values()) {
            if (p == Trainer.Phase.ALL_REDUCE) {
                continue; // one process: nothing to sum
            }
            phases.put(
                    p.name().toLowerCase(java.util.Locale.ROOT),
                    round((end[p.ordinal()] - times.atWarmupEnd[p.ordinal()]) / steps));
        }
        rows.describe(json, warmup);
        putMachine(json, cores);
        spec.commandLine().getOut().println(json.toString());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** {@code --product-only}: the encoder's product timed on random rows, nothing trained. */
    private int productOnly(DType type, int cores, int used) throws CliException {
        long bytes = type == DType.FLOAT64 ? 8 : 4;
        Cli.require(
                (long) batch * concepts * bytes <= MemoryEstimate.MAX_ARRAY_BYTES
                        && (long) concepts * input * bytes <= MemoryEstimate.MAX_ARRAY_BYTES,
                "--batch " + batch + ", --input " + input + ", --concepts " + concepts + ": the product's arrays "
                        + "would pass ND4J's largest array (" + MemoryEstimate.MAX_ARRAY_BYTES + " bytes); take fewer");
        INDArray x = new SeededRandom(seed).derive(1).normal(type, 1.0, batch, input);
        double[] runs = encoderGemmSeconds(type, concepts, x);
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("product", "x W^T");
        json.put("input", input);
        json.put("concepts", concepts);
        json.put("batch", batch);
        json.put("threads", used);
        json.put("dtype", type.toString());
        putProduct(json, runs, input);
        putMachine(json, cores);
        spec.commandLine().getOut().println(json.toString());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The product's runs, their median, and its speed in GFLOP/s (2 * batch * input * concepts per product). */
    private void putProduct(ObjectNode json, double[] runs, int width) {
        double median = median(runs);
        json.put("encoder_gemm_s", round(median));
        var list = json.putArray("encoder_gemm_runs_s");
        for (double r : runs) {
            list.add(round(r));
        }
        json.put("encoder_gflops", Math.round(2.0 * batch * width * concepts / median / 1e8) / 10.0);
    }

    /** The BLAS the products ran on, the cores and the JVM. */
    private static void putMachine(ObjectNode json, int cores) {
        BlasLibrary blas = BlasLibrary.current();
        ObjectNode b = json.putObject("blas");
        b.put("vendor", blas.vendor());
        b.put("version", blas.version());
        b.put("threads", blas.threads());
        var libs = b.putArray("libraries");
        blas.libraries().forEach(libs::add);
        json.put("cores", cores);
        json.put("java", System.getProperty("java.version"));
    }

    private boolean isAuxK() {
        return aux.equalsIgnoreCase("auxk") || aux.equalsIgnoreCase("auxk_sparsify");
    }

    /** The tracker AuxK reads: a window of {@code --dead-window} steps, or {@code --dead-fraction}'s frozen set. */
    private DeadCodeTracker deadCodes() throws CliException {
        Cli.require(deadWindow > 0, "--dead-window must be > 0, was " + deadWindow);
        if (deadFraction == null) {
            return new DeadCodeTracker(deadWindow);
        }
        Cli.require(isAuxK(), "--dead-fraction applies to --aux auxk and auxk_sparsify, not to --aux " + aux);
        Cli.require(deadFraction > 0 && deadFraction < 1, "--dead-fraction must be in (0, 1), was " + deadFraction);
        int n = (int) Math.round(deadFraction * concepts);
        Cli.require(n > 0, "--dead-fraction " + deadFraction + " leaves no dead concept among " + concepts);
        // a partial Fisher-Yates shuffle: the first n of a seeded permutation are dead
        int[] order = new int[concepts];
        for (int j = 0; j < concepts; j++) {
            order[j] = j;
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed ^ 0x6465616400000000L);
        boolean[] dead = new boolean[concepts];
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(concepts - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            dead[order[i]] = true;
        }
        return DeadCodeTracker.frozen(DeadCodeTracker.AUXK_STATE, dead);
    }

    /** MSE plus the {@code --aux} term; AuxK reads the dead concepts from {@code deadCodes}. */
    private Loss loss(DeadCodeTracker deadCodes) throws CliException {
        return switch (aux.toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> Losses.mse();
            case "auxk" -> Losses.mse().plus(new AuxKLoss(deadCodes, 0, 1.0 / 32));
            case "auxk_sparsify" -> Losses.mse().plus(new AuxKLoss(deadCodes, 0, 1.0 / 32, AuxKLoss.Flavor.SPARSIFY));
            case "topk_aux" -> Losses.mse().plus(new TopKAuxiliaryLoss(0.1));
            default ->
                throw new CliException(
                        SaekitCli.EXIT_USAGE,
                        "--aux: unknown '" + aux + "'; accepted: none, auxk, auxk_sparsify, topk_aux");
        };
    }

    /** {@code loss} plus the {@code --l1} penalty for the variants whose sparsity comes from the loss. */
    private Loss withPenalty(ModelSpec modelSpec, Loss loss) throws CliException {
        if (!modelSpec.variant().sparsityFromLoss()) {
            Cli.require(l1 == null, "--l1 is the sparsity penalty of vanilla and jumprelu; --variant is " + variant);
            return loss;
        }
        double coefficient = l1 == null ? Losses.DEFAULT_L1 : l1;
        Cli.require(coefficient >= 0 && Double.isFinite(coefficient), "--l1 must be finite and >= 0, was " + l1);
        return loss.plus(Losses.l1(coefficient));
    }

    /**
     * Applies {@code --path} and {@code --l0} to a vanilla or JumpReLU model; returns the L1 coefficient
     * and the quantile {@code q} that {@code --l0} set (NaN without it), or null for other variants.
     */
    private double[] startSparse(ModelSpec modelSpec, SparseAutoencoder model, Dataset data) throws CliException {
        CodePath codePath = Cli.parse("--path", path, p -> switch (p.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> CodePath.AUTO;
            case "sparse" -> CodePath.SPARSE;
            case "dense" -> CodePath.DENSE;
            default -> throw new IllegalArgumentException("unknown '" + p + "'; accepted: auto, sparse, dense");
        });
        if (!modelSpec.variant().sparsityFromLoss()) {
            Cli.require(l0 == null, "--l0 starts a vanilla or jumprelu model sparse; --variant is " + variant);
            Cli.require(codePath == CodePath.AUTO, "--path applies to vanilla and jumprelu; --variant is " + variant);
            return null;
        }
        model.setCodePath(codePath);
        double q = Double.NaN;
        if (l0 != null) {
            Cli.require(l0 >= 1 && l0 < concepts, "--l0 must be in 1.." + (concepts - 1) + ", was " + l0);
            // the pre-codes of a forward, read in the model's own buffer: no [batch, concepts] copy
            // that would count in the run's peak memory
            SaeOutput first = model.forward(
                    model.inputOf(data.batchesInOrder(batch).iterator().next()));
            q = quantile(first.preCodes(), 1.0 - (double) l0 / concepts);
            if (model instanceof JumpSae jump) {
                Cli.require(
                        q > 0,
                        "--l0 " + l0 + ": the pre-codes' quantile is " + q + ", not a threshold (> 0); use --l0 below "
                                + concepts / 2);
                jump.thresholds().value().assign(Math.log(q));
                jump.thresholds().markChanged();
            } else {
                Parameter bias = latentBias(model);
                bias.value().subi(q);
                bias.markChanged();
            }
        }
        return new double[] {l1 == null ? Losses.DEFAULT_L1 : l1, q};
    }

    /** The {@code p} quantile of {@code a}'s entries, over a strided sample of at most 2^20 of them. */
    private static double quantile(INDArray a, double p) {
        // read in place: a copy of the [batch, concepts] pre-codes would count in the run's peak memory
        INDArray flat = a.ordering() == 'c' && !a.isView() && a.offset() == 0 ? a : a.dup('c');
        long length = flat.length();
        int stride = (int) Math.max(1, length >> 20);
        float[] sample = new float[Math.toIntExact((length + stride - 1) / stride)];
        org.nd4j.linalg.api.buffer.DataBuffer data = flat.data();
        for (int i = 0; i < sample.length; i++) {
            sample[i] = data.getFloat((long) i * stride);
        }
        if (flat != a) {
            flat.close();
        }
        Arrays.sort(sample);
        return sample[Math.min(sample.length - 1, (int) (p * sample.length))];
    }

    /** The encoder's bias of the codes: its last parameter of one value per concept. */
    private static Parameter latentBias(SparseAutoencoder model) throws CliException {
        List<Parameter> ps = model.encoder().parameters();
        for (int i = ps.size() - 1; i >= 0; i--) {
            if (ps.get(i).value().rank() == 1 && ps.get(i).value().length() == model.nbConcepts()) {
                return ps.get(i);
            }
        }
        throw new CliException(SaekitCli.EXIT_USAGE, "--l0: the encoder has no bias to lower");
    }

    /** {@code l1}, {@code l0_target}, {@code l0_quantile}, {@code path}, {@code mean_l0} and {@code sparse_path_fraction}. */
    private void putSparsity(ObjectNode json, ModelSpec modelSpec, double[] sparsity, StepTimes times) {
        if (sparsity != null) {
            json.put("l1", sparsity[0]);
            json.put("l0_target", l0);
            json.put("l0_quantile", Double.isNaN(sparsity[1]) ? null : round(sparsity[1]));
            json.put("path", path.toLowerCase(java.util.Locale.ROOT));
        }
        if (times.countedSteps > 0) {
            json.put("mean_l0", Math.round(times.l0Sum / times.countedSteps * 100) / 100.0);
            json.put("sparse_path_fraction", round((double) times.sparseSteps / times.countedSteps));
        }
    }

    /**
     * The benchmarked model: the engine's defaults for the variant, with {@code --k} (the peers'
     * recipe: 32 codes per sample) for the variants that have a k.
     */
    private ModelSpec modelSpec(VariantKind v, SaeConfig config, CoderSpec coderSpec) throws CliException {
        VariantSpec variant = VariantOptions.withSettings(v, config, Map.of("k", k));
        try {
            return coderSpec instanceof CoderSpec.Autoencoder
                    ? ModelSpec.of(config, variant)
                    : ModelSpec.coder(config, variant, coderSpec);
        } catch (InvalidSettingException e) {
            throw VariantOptions.invalid(e);
        } catch (IllegalArgumentException e) {
            throw new CliException(SaekitCli.EXIT_USAGE, e.getMessage());
        }
    }

    /** The coder {@code --coder}, {@code --output} and {@code --layers} describe. */
    private CoderSpec coderSpec() throws CliException {
        CoderOptions.Kind kind = Cli.parse("--coder", coder, CoderOptions.Kind::parse);
        Cli.require(
                output == null || kind.transcoder(),
                "--output is a transcoder's output width; --coder is " + kind.label);
        Cli.require(
                layers == null || kind == CoderOptions.Kind.CROSSCODER,
                "--layers is a crosscoder's number of layers; --coder is " + kind.label);
        return switch (kind) {
            case AUTOENCODER -> new CoderSpec.Autoencoder();
            case TRANSCODER, SKIP_TRANSCODER -> {
                int out = output == null ? input : output;
                Cli.require(out > 0, "--output must be > 0, was " + out);
                yield new CoderSpec.Transcoder(out, kind == CoderOptions.Kind.SKIP_TRANSCODER);
            }
            case CROSSCODER -> {
                int l = layers == null ? 2 : layers;
                Cli.require(
                        l >= 1 && input % l == 0,
                        "--layers must divide --input " + input
                                + " (a crosscoder's row is its layers side by side), was " + l);
                yield CoderSpec.Crosscoder.of(l);
            }
        };
    }

    private static String coderLabel(CoderSpec c) {
        return c instanceof CoderSpec.Transcoder t && t.skip() ? "skip-transcoder" : c.kind();
    }

    /** The times of {@code x W^T} with the encoder's shapes, {@code --product-runs} of them after one unmeasured run. */
    private double[] encoderGemmSeconds(DType type, int nbConcepts, INDArray x) {
        INDArray w = Nd4j.rand(type.nd4j(), nbConcepts, x.columns());
        INDArray out = Nd4j.create(type.nd4j(), x.rows(), nbConcepts);
        double[] runs = new double[productRuns + 1];
        for (int i = 0; i < runs.length; i++) {
            long t0 = System.nanoTime();
            Nd4j.gemm(x, w, out, false, true, 1.0, 0.0);
            runs[i] = (System.nanoTime() - t0) / 1e9;
        }
        return Arrays.copyOfRange(runs, 1, runs.length);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Microsecond resolution: enough for any step, without the clock's noise digits. */
    private static double round(double v) {
        return Math.round(v * 1_000_000) / 1_000_000.0;
    }

    /** The most resident memory the process has had, heap and native, in MiB; -1 if unknown. */
    private static long peakRssMb() {
        long bytes = MemoryBudget.peakResidentBytes();
        return bytes < 0 ? -1 : Math.round(bytes / (1024.0 * 1024));
    }

    /** The wall time of each step, from the training start or the previous step's end, and the phase totals after warm-up. */
    private static final class StepTimes implements TrainingListener {
        private final List<Double> seconds = new ArrayList<>();
        private final int warmup;
        private final DeadCodeTracker deadCodes;
        private double deadFractionSum;
        private long last;
        Trainer trainer;
        SparseAutoencoder model;
        /** Over the measured steps whose model counted its non-zero codes: the sum of their mean L0, and how many took the sparse path. */
        double l0Sum;

        int countedSteps;
        int sparseSteps;
        double[] atWarmupEnd = new double[Trainer.Phase.values().length];

        StepTimes(int warmup, DeadCodeTracker deadCodes) {
            this.warmup = warmup;
            this.deadCodes = deadCodes;
        }

        @Override
        public void onTrainingStart(TrainingContext context) {
            last = System.nanoTime();
        }

        @Override
        public void onStep(StepState state) {
            long now = System.nanoTime();
            seconds.add((now - last) / 1e9);
            if (seconds.size() > warmup) {
                deadFractionSum += deadCodes.deadFraction();
                if (model.lastNonZeroCodes() >= 0) {
                    l0Sum += (double) model.lastNonZeroCodes()
                            / state.output().codes().rows();
                    countedSteps++;
                    sparseSteps += model.lastForwardWasSparse() ? 1 : 0;
                }
            }
            if (seconds.size() == warmup) {
                atWarmupEnd = trainer.phaseSeconds();
            }
            last = System.nanoTime();
        }

        /** The dead fraction AuxK saw, averaged over the measured steps. */
        double meanDeadFraction() {
            return seconds.size() > warmup ? deadFractionSum / (seconds.size() - warmup) : 0;
        }

        double[] seconds() {
            return seconds.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    /** {@code total} batches cycling over four fixed ones: the data costs four batches of memory. */
    private static final class RepeatedBatches implements Dataset {
        private final INDArray rows;
        private final int batch;
        private final int total;

        RepeatedBatches(INDArray rows, int batch, int total) {
            this.rows = rows;
            this.batch = batch;
            this.total = total;
        }

        @Override
        public long rows() {
            return (long) batch * total;
        }

        @Override
        public int cols() {
            return (int) rows.columns();
        }

        @Override
        public DType dtype() {
            return dev.saekit.tensor.Tensors.dtypeOf(rows);
        }

        @Override
        public Iterable<INDArray> batches(int batchSize, long seed, int epoch) {
            return batchesInOrder(batchSize);
        }

        @Override
        public Iterable<INDArray> batchesInOrder(int batchSize) {
            INDArray[] fixed = new INDArray[4];
            for (int i = 0; i < 4; i++) {
                fixed[i] = rows.get(
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(
                                        (long) i * batch, (long) (i + 1) * batch),
                                org.nd4j.linalg.indexing.NDArrayIndex.all())
                        .dup('c');
            }
            return () -> new Iterator<>() {
                private int next;

                @Override
                public boolean hasNext() {
                    return next < total;
                }

                @Override
                public INDArray next() {
                    return fixed[next++ % 4];
                }
            };
        }

        /** The rows and the four batches copied from them. */
        @Override
        public long memoryBytes() {
            return 2 * rows.length() * rows.dataType().width();
        }

        @Override
        public String description() {
            return "synthetic N(0, 1) rows, four batches repeated";
        }
    }
}
