package dev.saekit.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.data.Dataset;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.DataProvenance;
import dev.saekit.metrics.EvalMetrics;
import dev.saekit.metrics.Evaluation;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.train.MemoryEstimate;
import dev.saekit.train.StepState;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingDivergedException;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.TrainingProgress;
import dev.saekit.train.TrainingResult;
import dev.saekit.train.listeners.DivergenceCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Trains every cell of a {@link SweepGrid} on one data set with the same {@link SweepSettings} and
 * measures where each lands: L0, FVU, explained variance and dead fraction over the whole data set
 * in evaluation mode, and the columns of a {@link DownstreamEvaluator} if one is given. The
 * directory it writes:
 *
 * <pre>
 * DIR/sweep.json                   the grid, the shared settings and the data's identity ({@link SweepManifest})
 * DIR/cells/topk-k16/model/        the cell's trained model, a checkpoint as {@code saekit train} writes it
 *                                  (with the data's mean and scale): {@code saekit encode --model DIR/cells/topk-k16}
 * DIR/cells/topk-k16/result.json   its measurements ({@link CellResult}); written last, it marks the cell finished
 * DIR/frontier.csv                 one row per finished cell ({@link FrontierCsv}), rewritten after each cell
 * </pre>
 *
 * A sweep resumed in its directory skips the cells it finds finished and trains the others (a cell
 * cut short is trained again from the start); it must keep its settings and data (a
 * {@link SweepMismatchException} names the first that differs) but may change its grid. When a
 * resumed sweep has an evaluator, finished cells without downstream columns are evaluated from
 * their saved models. Every cell starts from the same seed and sees the batches in the same order.
 */
public final class SweepRunner {
    /** The manifest of a sweep directory. */
    public static final String MANIFEST = "sweep.json";
    /** The directory of the cells. */
    public static final String CELLS = "cells";
    /** A cell's measurements. */
    public static final String RESULT = "result.json";
    /** A cell's checkpoint root. */
    public static final String MODEL = "model";
    /** The frontier table. */
    public static final String FRONTIER = "frontier.csv";

    private final Path directory;
    private final SweepGrid grid;
    private final SweepSettings settings;
    private final Dataset data;
    private final Preprocessing preprocessing;
    private final DataProvenance provenance;
    private final DownstreamEvaluator evaluator;
    private final List<SweepListener> listeners;
    private final boolean resume;

    private SweepRunner(Builder b) {
        this.directory = b.directory;
        this.grid = b.grid;
        this.settings = b.settings;
        this.data = b.data;
        this.preprocessing = b.preprocessing;
        this.provenance = b.provenance != null ? b.provenance : DataProvenance.of(b.data);
        this.evaluator = b.evaluator;
        this.listeners = List.copyOf(b.listeners);
        this.resume = b.resume;
    }

    /**
     * A sweep of {@code grid} x {@code settings} on {@code data} (rows as the models read them,
     * already centred or scaled as {@link Builder#preprocessing} says) into {@code directory}.
     */
    public static Builder builder(Path directory, SweepGrid grid, SweepSettings settings, Dataset data) {
        return new Builder(directory, grid, settings, data);
    }

    /** {@code DIR/cells/<cell id>}. */
    public static Path cellDirectory(Path directory, SweepCell cell) {
        return directory.resolve(CELLS).resolve(cell.id());
    }

    /**
     * Trains the cells not yet finished, one after the other, and returns every cell's result. A
     * cell whose training diverges stops the sweep with a {@link TrainingDivergedException} naming
     * it; the cells finished before it are kept.
     */
    public SweepResult run() throws IOException {
        checkCells();
        SweepManifest manifest = new SweepManifest(grid, settings, dataIdentity());
        prepareDirectory(manifest);
        manifest.write(directory.resolve(MANIFEST));

        Map<SweepCell, CellResult> finished = new LinkedHashMap<>();
        for (SweepCell cell : grid.cells()) {
            CellResult r = readFinished(cell);
            if (r != null) {
                finished.put(cell, r);
            }
        }
        long stepsPerCell = (data.rows() + settings.batchSize() - 1) / settings.batchSize() * settings.epochs();
        listeners.forEach(l -> l.onSweepStart(grid, finished.size(), stepsPerCell));
        for (CellResult r : List.copyOf(finished.values())) {
            CellResult withColumns = evaluateFinished(r);
            finished.put(r.cell(), withColumns);
            listeners.forEach(l -> l.onCellSkipped(withColumns));
        }
        FrontierCsv.write(directory.resolve(FRONTIER), inGridOrder(finished));

        int position = finished.size();
        for (SweepCell cell : grid.cells()) {
            if (finished.containsKey(cell)) {
                continue;
            }
            position++;
            int at = position;
            listeners.forEach(l -> l.onCellStart(cell, at));
            CellResult r = train(cell);
            finished.put(cell, r);
            FrontierCsv.write(directory.resolve(FRONTIER), inGridOrder(finished));
            SweepResult soFar = new SweepResult(directory, grid, settings, inGridOrder(finished));
            listeners.forEach(l -> l.onCellEnd(r, soFar));
        }
        SweepResult result = new SweepResult(directory, grid, settings, inGridOrder(finished));
        listeners.forEach(l -> l.onSweepEnd(result));
        return result;
    }

    /** Refuses, before anything is trained, a cell whose model cannot be made (a k above the concepts, arrays too large). */
    private void checkCells() {
        for (SweepCell cell : grid.cells()) {
            ModelSpec spec;
            try {
                spec = cell.modelSpec(settings.saeConfig(data.cols()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cell " + cell.id() + ": " + e.getMessage(), e);
            }
            MemoryEstimate.checkArraySizes(spec, Math.max(1, Math.min(settings.batchSize(), data.rows())));
        }
    }

    /** What a resumed sweep's data must match: its description, shape, dtype, centring and scale. */
    private ObjectNode dataIdentity() {
        ObjectNode n = SweepManifest.JSON.createObjectNode();
        n.put("description", data.description());
        n.put("rows", data.rows());
        n.put("cols", data.cols());
        n.put("dtype", data.dtype().label());
        n.put("centred", preprocessing.mean() != null);
        n.put("scale", preprocessing.scale());
        return n;
    }

    private void prepareDirectory(SweepManifest manifest) throws IOException {
        Path file = directory.resolve(MANIFEST);
        if (Files.exists(file)) {
            if (!resume) {
                throw new IllegalStateException(directory + " holds a sweep already (" + MANIFEST
                        + "); resume it to train its missing cells, or give a new directory");
            }
            SweepManifest.read(file).requireResumableAs(manifest, file);
            return;
        }
        if (Files.isDirectory(directory)) {
            try (Stream<Path> entries = Files.list(directory)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalStateException(directory + " is not empty and holds no " + MANIFEST
                            + "; give a new or empty directory for the sweep");
                }
            }
        } else if (Files.exists(directory)) {
            throw new IllegalStateException(directory + " is a file; give a directory (new or empty) for the sweep");
        }
        Files.createDirectories(directory);
    }

    /** The result of a cell finished by an earlier run, or null (a missing or unreadable result, another cell's). */
    private CellResult readFinished(SweepCell cell) throws IOException {
        Path file = cellDirectory(directory, cell).resolve(RESULT);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            CellResult r = CellResult.fromJson(SweepManifest.JSON.readTree(file.toFile()));
            return r.cell().equals(cell) && r.concepts() == settings.concepts() ? r : null;
        } catch (IOException | IllegalArgumentException e) {
            return null; // written atomically, so only an edit breaks it: the cell is trained again
        }
    }

    /** {@code r}, with the evaluator's columns measured on its saved model when it has none yet. */
    private CellResult evaluateFinished(CellResult r) throws IOException {
        if (evaluator == null || !r.downstream().isEmpty()) {
            return r;
        }
        Path dir = cellDirectory(directory, r.cell());
        Checkpoint c = Checkpoints.load(dir.resolve(MODEL));
        c.model().eval();
        CellResult updated = new CellResult(
                r.cell(),
                r.concepts(),
                r.l0(),
                r.fvu(),
                r.explainedVariance(),
                r.deadFraction(),
                r.trainSeconds(),
                evaluator.evaluate(c.model(), Preprocessing.fromAttachments(c.attachments()), r.cell()));
        writeResult(dir, updated);
        return updated;
    }

    private CellResult train(SweepCell cell) throws IOException {
        Path dir = cellDirectory(directory, cell);
        deleteTree(dir.resolve(MODEL)); // what a cell cut short left
        ModelSpec spec = cell.modelSpec(settings.saeConfig(data.cols()));
        int batch = (int) Math.max(1, Math.min(settings.batchSize(), data.rows()));
        MemoryEstimate.checkBeforeBuilding(spec, batch, data.memoryBytes(batch));
        SparseAutoencoder model = spec.build();
        TrainingConfig config = settings.trainingConfig(cell.loss(settings.auxK()));
        TrainingListener steps = new TrainingListener() {
            @Override
            public void onStep(StepState state) {
                listeners.forEach(l -> l.onStep(cell, state));
            }
        };
        Trainer trainer = new Trainer(config, List.of(new DivergenceCheck(), steps));
        TrainingResult trained = trainer.fit(model, data);
        if (!trained.completed()) {
            throw new TrainingDivergedException(
                    trained.steps(),
                    "cell " + cell.id() + ": " + trained.message() + " The finished cells are kept: resume without "
                            + cell.level().label() + " for " + cell.variant().name()
                            + ", or start a new sweep with a lower learning rate");
        }
        EvalMetrics m = Evaluation.of(model, data, settings.batchSize());
        Map<String, Double> downstream = evaluator == null ? Map.of() : evaluator.evaluate(model, preprocessing, cell);
        Checkpoints.save(
                dir.resolve(MODEL),
                Checkpoints.State.builder(model, new TrainingProgress(config.epochs(), 0, trainer.stepsDone()))
                        .training(config)
                        .data(provenance)
                        .attachments(preprocessing.attachments())
                        .build(),
                1);
        CellResult r = new CellResult(
                cell,
                settings.concepts(),
                m.l0(),
                m.fvu(),
                m.explainedVariance(),
                m.deadFraction(),
                trained.seconds(),
                downstream);
        writeResult(dir, r);
        return r;
    }

    private static void writeResult(Path cellDir, CellResult r) throws IOException {
        AtomicFiles.writeString(
                cellDir.resolve(RESULT), SweepManifest.JSON.writeValueAsString((JsonNode) r.toJson()) + "\n");
    }

    private List<CellResult> inGridOrder(Map<SweepCell, CellResult> finished) {
        List<CellResult> rows = new ArrayList<>();
        grid.cells().stream().filter(finished::containsKey).forEach(c -> rows.add(finished.get(c)));
        return rows;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    /** The sweep's optional parts: preprocessing, provenance, evaluator, listeners and whether to resume. */
    public static final class Builder {
        private final Path directory;
        private final SweepGrid grid;
        private final SweepSettings settings;
        private final Dataset data;
        private Preprocessing preprocessing = Preprocessing.none();
        private DataProvenance provenance;
        private DownstreamEvaluator evaluator;
        private final List<SweepListener> listeners = new ArrayList<>();
        private boolean resume;

        private Builder(Path directory, SweepGrid grid, SweepSettings settings, Dataset data) {
            this.directory = Objects.requireNonNull(directory, "directory");
            this.grid = Objects.requireNonNull(grid, "grid");
            this.settings = Objects.requireNonNull(settings, "settings");
            this.data = Objects.requireNonNull(data, "data");
        }

        /** What the rows went through (saved with every cell's model, given to the evaluator); none by default. */
        public Builder preprocessing(Preprocessing v) {
            preprocessing = Objects.requireNonNull(v, "preprocessing");
            return this;
        }

        /** Where the rows came from, recorded in every cell's checkpoint; by default what the data set tells of itself. */
        public Builder provenance(DataProvenance v) {
            provenance = v;
            return this;
        }

        /** Measures downstream columns of every trained cell; none by default. */
        public Builder evaluator(DownstreamEvaluator v) {
            evaluator = v;
            return this;
        }

        public Builder listener(SweepListener v) {
            listeners.add(Objects.requireNonNull(v, "listener"));
            return this;
        }

        /**
         * Continue the sweep in the directory when it holds one (else start one there); by default a
         * directory that holds a sweep is refused.
         */
        public Builder resume(boolean v) {
            resume = v;
            return this;
        }

        public SweepRunner build() {
            if (data.rows() == 0) {
                throw new IllegalArgumentException("the sweep's data " + data.description() + " has no rows");
            }
            return new SweepRunner(this);
        }
    }
}
