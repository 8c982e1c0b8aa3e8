package dev.saekit.cli;

import dev.saekit.concepts.ConceptStatistics;
import dev.saekit.dashboard.ConceptScan;
import dev.saekit.dashboard.ConceptSite;
import dev.saekit.dashboard.Dashboard;
import dev.saekit.dashboard.RowContexts;
import dev.saekit.dashboard.RowStream;
import dev.saekit.dashboard.TokenContexts;
import dev.saekit.data.InMemoryDataset;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.DataLocation;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.onnx.text.HarvestDirectory;
import dev.saekit.samples.EmbeddedData;
import dev.saekit.sweep.Preprocessing;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code saekit dashboard}: every concept of a saved SAE on its own page, as a static site that opens
 * offline (see {@link ConceptSite}), from one streaming pass over the data that is saved as it goes
 * and continued by the same command after an interruption.
 */
@Command(
        name = "dashboard",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Write a concept dashboard: a static site with every concept's top contexts (tokens shaded by activation),",
            "samples across its activation quantiles, its histogram, the tokens it fires on most, its nearest atoms and",
            "the concepts it fires with, plus an index to sort, filter and search by token. One streaming pass over the",
            "data in bounded memory, saved as it goes: run the same command again to continue an interrupted one."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:bad input data, a model or a file that cannot be read or written",
            "2:bad command line or option value",
            "4:not enough memory"
        })
public class DashboardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--sae",
            paramLabel = "DIR",
            required = true,
            description =
                    "A saved SAE: the run directory of `train --out` (its model/), a sweep cell's directory or model/, or one step-N directory.")
    Path sae;

    @Option(
            names = "--data",
            paramLabel = "PATH",
            description =
                    "The rows to scan: a harvest directory (tokens shown in their documents), a .npy, .npz, .safetensors or IDX file,"
                            + " or a directory or glob of shards. Default: the embedded GloVe words, labelled by word.")
    Path data;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description =
                    "The tap of a harvest directory with several, or the array of an .npz or .safetensors file with several.")
    String name;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            required = true,
            description =
                    "The site's directory: new, empty, or an earlier dashboard's (its scan is continued or reused).")
    Path out;

    @Option(
            names = "--labels",
            paramLabel = "FILE",
            description =
                    "One label per row of --data (UTF-8, one per line): counted per concept and shown for each row.")
    Path labels;

    @Option(
            names = "--image-shape",
            paramLabel = "HxW",
            description =
                    "Rows are images of H x W values (e.g. 28x28): atoms and top rows are drawn as pictures (captioned by --labels, if given).")
    String imageShape;

    @Option(
            names = "--names",
            paramLabel = "FILE",
            description = "Names for concepts, one per line: CONCEPT<TAB>NAME (UTF-8). Shown as text and searchable.")
    Path names;

    @Option(
            names = "--title",
            paramLabel = "TEXT",
            description = "The site's title. Default: the SAE's variant, concepts and data.")
    String title;

    @Option(
            names = "--top",
            paramLabel = "N",
            defaultValue = "20",
            description = "Top-activating contexts kept and shown per concept. Default: ${DEFAULT-VALUE}.")
    int top;

    @Option(
            names = "--quantiles",
            paramLabel = "BANDS",
            defaultValue = "4",
            description = "Bands of each concept's activations to show samples from. Default: ${DEFAULT-VALUE}.")
    int bands;

    @Option(
            names = "--per-band",
            paramLabel = "N",
            defaultValue = "3",
            description = "Samples shown from each band. Default: ${DEFAULT-VALUE}.")
    int perBand;

    @Option(
            names = "--samples",
            paramLabel = "N",
            defaultValue = "64",
            description =
                    "Rows each concept keeps as a uniform sample of those it fired on (the bands come from it). Default: ${DEFAULT-VALUE}.")
    int samples;

    @Option(
            names = "--window",
            paramLabel = "TOKENS",
            defaultValue = "8",
            description =
                    "Tokens of the same document shown on either side of a harvest's row. Default: ${DEFAULT-VALUE}.")
    int window;

    @Option(
            names = "--label-slots",
            paramLabel = "N",
            defaultValue = "64",
            description =
                    "Labels (tokens) counted per concept in bounded memory: exact for a concept with at most N distinct; 0 counts none. Default: ${DEFAULT-VALUE}.")
    int labelSlots;

    @Option(
            names = "--similar",
            paramLabel = "N",
            defaultValue = "8",
            description =
                    "Nearest atoms (cosine) and co-firing concepts listed per concept. Default: ${DEFAULT-VALUE}.")
    int similar;

    @Option(
            names = "--[no-]cofiring",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Count how often each pair of concepts fires on the same row (4 bytes per pair). Default: ${DEFAULT-VALUE}.")
    boolean cofiring;

    @Option(
            names = "--dense",
            paramLabel = "FRACTION",
            defaultValue = "0.1",
            description =
                    "Flag a concept that fires on more than this fraction of rows as dense. Default: ${DEFAULT-VALUE}.")
    double dense;

    @Option(
            names = "--batch-size",
            paramLabel = "N",
            defaultValue = "1024",
            description = "Rows encoded at once (a continued scan must use the same). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(
            names = "--segment-rows",
            paramLabel = "N",
            defaultValue = "8192",
            description =
                    "Rows per segment, the unit in which sums and label counts are kept so that a scan split into parts (a cluster's) gives the same statistics; a continued or reused scan must use the same. Default: ${DEFAULT-VALUE}.")
    int segmentRows;

    @Option(
            names = "--[no-]center",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Subtract the training data's mean saved with the SAE (if it was centred), and apply its scale. Default: ${DEFAULT-VALUE}.")
    boolean center;

    @Option(
            names = "--save-every",
            paramLabel = "SECONDS",
            defaultValue = "60",
            description = "Seconds between saves of the scan's statistics. Default: ${DEFAULT-VALUE}.")
    double saveEvery;

    @Option(
            names = "--overwrite",
            defaultValue = "false",
            description = "Scan again from the start, replacing --out's earlier dashboard. Default: ${DEFAULT-VALUE}.")
    boolean overwrite;

    @Option(
            names = "--no-progress",
            defaultValue = "false",
            description = "No progress bar. Default: ${DEFAULT-VALUE}.")
    boolean noProgress;

    @Override
    public Integer call() {
        return Cli.run(spec, this::dashboard);
    }

    private int dashboard() throws CliException, IOException {
        int[] shape = checkOptions();
        DashboardDirectory.prepare(out, overwrite);
        PrintWriter err = spec.commandLine().getErr();
        try (DashboardInputs in = open(shape)) {
            return dashboard(in);
        } catch (dev.saekit.io.DataValueException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, e.getMessage());
        } finally {
            err.flush();
        }
    }

    /** Checks the options that need no file; the image shape of --image-shape, or null. */
    private int[] checkOptions() throws CliException {
        Cli.require(top > 0, "--top must be > 0, was " + top);
        Cli.require(bands > 0, "--quantiles must be > 0, was " + bands);
        Cli.require(perBand > 0, "--per-band must be > 0, was " + perBand);
        Cli.require(samples > 0, "--samples must be > 0, was " + samples);
        Cli.require(window >= 0, "--window must be >= 0, was " + window);
        Cli.require(labelSlots >= 0, "--label-slots must be >= 0, was " + labelSlots);
        Cli.require(similar > 0, "--similar must be > 0, was " + similar);
        Cli.require(dense > 0 && dense <= 1, "--dense is a fraction of rows in (0, 1], was " + dense);
        Cli.require(batchSize > 0, "--batch-size must be > 0, was " + batchSize);
        Cli.require(segmentRows > 0, "--segment-rows must be > 0, was " + segmentRows);
        Cli.require(saveEvery > 0, "--save-every must be > 0 seconds, was " + saveEvery);
        Cli.require(
                data != null || (name == null && imageShape == null),
                (name != null ? "--name" : "--image-shape") + " describes --data; give --data as well");
        int[] shape = imageShape == null ? null : Cli.parse("--image-shape", imageShape, DashboardCommand::shape);
        return shape;
    }

    /**
     * Checks the options and opens the SAE, the rows and their contexts: what the scan reads, here
     * or in a task on another machine given the same options. --out is not touched.
     */
    public DashboardInputs open() throws CliException, IOException {
        return open(checkOptions());
    }

    private DashboardInputs open(int[] shape) throws CliException, IOException {
        Checkpoint checkpoint = Checkpoints.load(sae);
        SparseAutoencoder model = checkpoint.model();
        Preprocessing preprocessing =
                center ? Preprocessing.fromAttachments(checkpoint.attachments()) : Preprocessing.none();
        Map<Integer, String> conceptNames = names == null ? Map.of() : ConceptNames.read(names, model.nbConcepts());
        TokenContexts tokens = null;
        DataLocation location = null;
        try {
            RowStream rows;
            RowContexts contexts;
            if (data == null) {
                Cli.require(labels == null, "--labels describes the rows of --data; give --data as well");
                InMemoryDataset words = InMemoryDataset.of(
                                EmbeddedData.vectors(), EmbeddedData.words(), EmbeddedData.DESCRIPTION)
                        .withDType(model.dtype());
                rows = RowStream.of(words);
                contexts = RowContexts.labels(EmbeddedData.words());
            } else {
                boolean harvest = Files.isRegularFile(data.resolve("harvest.json"));
                try {
                    location = DataLocation.open(data.toString(), name, 1);
                } catch (IOException | RuntimeException e) {
                    throw DataErrors.of(e, data.toString(), name != null);
                }
                rows = RowStream.of(location, model.dtype());
                if (harvest && labels == null && shape == null) {
                    tokens = TokenContexts.open(HarvestDirectory.open(data), window);
                    if (tokens.rows() != location.rows()) {
                        throw new CliException(
                                SaekitCli.EXIT_INPUT,
                                "the harvest in " + data + " has " + tokens.rows() + " token rows but its tap "
                                        + location.rows() + " activation rows: the harvest is damaged");
                    }
                    contexts = tokens;
                } else if (labels != null) {
                    List<String> l = TrainingData.readLabels(labels);
                    Cli.require(
                            l.size() == location.rows(),
                            "--labels " + labels + " has " + l.size() + " labels but --data " + location.rows()
                                    + " rows; give one label per row");
                    contexts = shape == null ? RowContexts.labels(l) : RowContexts.images(shape[0], shape[1], l);
                } else if (shape != null) {
                    contexts = RowContexts.images(shape[0], shape[1]);
                } else {
                    contexts = RowContexts.none();
                }
            }
            if (rows.cols() != model.inputDim()) {
                throw new CliException(
                        SaekitCli.EXIT_INPUT,
                        rows.description() + " has rows of width " + rows.cols() + " but the SAE reads rows of width "
                                + model.inputDim() + "; give the data it was trained on");
            }
            ConceptStatistics.Settings settings = Cli.build(() -> ConceptStatistics.Settings.of(model.nbConcepts())
                    .withTop(top)
                    .withSamples(samples)
                    .withLabelSlots(labelSlots)
                    .withCofiring(cofiring));
            return new DashboardInputs(
                    model,
                    preprocessing,
                    rows,
                    location,
                    contexts,
                    tokens,
                    settings,
                    conceptNames,
                    shape,
                    data,
                    name,
                    batchSize,
                    segmentRows,
                    scanDirectory());
        } catch (CliException | IOException | RuntimeException e) {
            if (tokens != null) {
                tokens.close();
            }
            throw e;
        }
    }

    /** Scans the rows (or finds the scan saved in --out) and writes the site: a command that scans elsewhere overrides it. */
    protected int dashboard(DashboardInputs in) throws CliException, IOException {
        RowStream rows = in.allRows();
        int[] shape = in.imageShape();
        Dashboard.Builder builder;
        try (ProgressBar bar = Cli.progressBar("scanning", rows.rows(), noProgress)) {
            builder = Dashboard.builder(in.encoding(), rows, in.contexts())
                    .settings(in.settings())
                    .blockRows(batchSize)
                    .segmentRows(segmentRows)
                    .stateDirectory(out.resolve("scan"))
                    .saveEvery(saveEvery)
                    .top(top)
                    .quantiles(bands, perBand)
                    .neighbours(similar, similar)
                    .denseThreshold(dense)
                    .names(in.conceptNames())
                    .title(title)
                    .progress((done, total) -> {
                        if (bar != null) {
                            bar.stepTo(done);
                        }
                    });
            if (shape != null) {
                builder.imageShape(shape[0], shape[1]);
            }
            Dashboard d = builder.build();
            ConceptScan.Result scan = d.scan();
            ConceptSite.Written site = d.write(out);
            int dead = 0;
            int denseCount = 0;
            for (int c = 0; c < d.concepts(); c++) {
                dead += d.dead(c) ? 1 : 0;
                denseCount += d.dense(c) ? 1 : 0;
            }
            PrintWriter o = spec.commandLine().getOut();
            o.printf(
                    Locale.ROOT,
                    "scanned   %,d rows x %,d concepts%s%n",
                    scan.statistics().rows(),
                    d.concepts(),
                    scan.rowsThisRun() == 0
                            ? " (the saved scan was finished)"
                            : String.format(
                                    Locale.ROOT,
                                    "%s: %,d rows in %.1f s, %,.0f rows x concepts per second (%.1f CPU s)",
                                    scan.resumed() ? " (continued)" : "",
                                    scan.rowsThisRun(),
                                    scan.seconds(),
                                    scan.cellsPerSecond(),
                                    scan.cpuSeconds()));
            o.printf(Locale.ROOT, "concepts  %,d dead, %,d dense (above %s of rows)%n", dead, denseCount, dense);
            o.printf(Locale.ROOT, "contexts  read in %.1f s%n", d.contextSeconds());
            o.printf(
                    Locale.ROOT,
                    "wrote     %s: %,d files, %.1f MB, in %.1f s%n",
                    out.resolve("index.html"),
                    site.files(),
                    site.bytes() / 1e6,
                    site.seconds());
        }
        return 0;
    }

    /** The scan's state directory in --out, where a finished scan is found by the next dashboard. */
    protected final Path scanDirectory() {
        return out.resolve("scan");
    }

    /** Rows encoded at once: --batch-size. */
    protected final int batchSize() {
        return batchSize;
    }

    /** Rows per segment of the statistics: --segment-rows. */
    protected final int segmentRows() {
        return segmentRows;
    }

    /** This command's parsed command line. */
    protected final CommandSpec commandSpec() {
        return spec;
    }

    static int[] shape(String text) {
        String[] parts = text.toLowerCase(Locale.ROOT).split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException("give H x W as e.g. 28x28, was '" + text + "'");
        }
        int h = Integer.parseInt(parts[0].trim());
        int w = Integer.parseInt(parts[1].trim());
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException("H and W must be > 0, were " + h + " and " + w);
        }
        return new int[] {h, w};
    }
}
