package dev.saekit.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.concepts.ConceptStatistics;
import dev.saekit.concepts.DenseBlock;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.MalformedFileException;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One streaming pass over the rows: each block is encoded by the SAE and its codes (with the rows'
 * label ids) go into {@link ConceptStatistics}, whose memory does not grow with the rows. With a
 * state directory the statistics are saved there as the pass goes ({@value #STATISTICS}, then
 * {@value #RECORD}, each written whole or not at all), and a later run with the same SAE, rows and
 * settings continues from the last save: blocks are the same whatever the run, so the result is the
 * one an uninterrupted pass gives. A finished pass is not repeated.
 *
 * <pre>{@code
 * ConceptScan.Result r = ConceptScan.builder(new Encoding(sae, preprocessing), rows, contexts)
 *         .settings(ConceptStatistics.Settings.of(sae.nbConcepts()))
 *         .stateDirectory(site.resolve("scan"))
 *         .run();
 * }</pre>
 */
public final class ConceptScan {
    /** The saved statistics in a state directory. */
    public static final String STATISTICS = "statistics.bin";
    /** The record of what was scanned, in a state directory. */
    public static final String RECORD = "scan.json";

    static final String FORMAT = "saekit-concept-scan";
    static final int FORMAT_VERSION = 1;

    /** Told how far the pass is. */
    public interface Progress {
        void rows(long done, long total);
    }

    /**
     * The statistics, with how this run went: rows encoded by this run (0 when a finished pass was
     * found), whether it continued a saved pass, its wall and CPU seconds.
     */
    public record Result(
            ConceptStatistics statistics, long rowsThisRun, boolean resumed, double seconds, double cpuSeconds) {
        /** Rows x concepts per wall-clock second of this run; NaN if it encoded nothing. */
        public double cellsPerSecond() {
            return rowsThisRun == 0 || seconds <= 0
                    ? Double.NaN
                    : rowsThisRun * (double) statistics.concepts() / seconds;
        }
    }

    private final Encoding encoding;
    private final RowStream rows;
    private final RowContexts contexts;
    private ConceptStatistics.Settings settings;
    private int blockRows = 1024;
    private Path stateDirectory;
    private double saveSeconds = 60;
    private Progress progress = (done, total) -> {};

    private ConceptScan(Encoding encoding, RowStream rows, RowContexts contexts) {
        this.encoding = Objects.requireNonNull(encoding, "encoding");
        this.rows = Objects.requireNonNull(rows, "rows");
        this.contexts = contexts == null ? RowContexts.none() : contexts;
        this.settings = ConceptStatistics.Settings.of(encoding.sae().nbConcepts());
        if (rows.cols() != encoding.sae().inputDim()) {
            throw new IllegalArgumentException(rows.description() + " has rows of width " + rows.cols()
                    + " but the SAE reads rows of width " + encoding.sae().inputDim());
        }
    }

    /** A pass of {@code rows} through {@code encoding}, labels and contexts from {@code contexts} (null: none). */
    public static ConceptScan builder(Encoding encoding, RowStream rows, RowContexts contexts) {
        return new ConceptScan(encoding, rows, contexts);
    }

    /** What to keep per concept; its concepts must be the SAE's. */
    public ConceptScan settings(ConceptStatistics.Settings v) {
        if (v.concepts() != encoding.sae().nbConcepts()) {
            throw new IllegalArgumentException("statistics for " + v.concepts() + " concepts asked of an SAE with "
                    + encoding.sae().nbConcepts());
        }
        this.settings = v;
        return this;
    }

    /** Rows encoded at once (default 1024); part of what a resumed pass must match. */
    public ConceptScan blockRows(int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("blockRows must be > 0, was " + v);
        }
        this.blockRows = v;
        return this;
    }

    /** Where the statistics are saved as the pass goes, and found again by a later run (null: not saved). */
    public ConceptScan stateDirectory(Path v) {
        this.stateDirectory = v;
        return this;
    }

    /** Seconds between saves (default 60). */
    public ConceptScan saveEvery(double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("seconds between saves must be > 0, was " + seconds);
        }
        this.saveSeconds = seconds;
        return this;
    }

    public ConceptScan progress(Progress v) {
        this.progress = Objects.requireNonNull(v, "progress");
        return this;
    }

    /** Runs (or continues, or finds finished) the pass. */
    public Result run() throws IOException {
        ObjectNode record = record();
        ConceptStatistics statistics = stateDirectory == null ? null : saved(record);
        boolean resumed = statistics != null;
        if (statistics == null) {
            statistics = new ConceptStatistics(settings);
        }
        long start = statistics.rows();
        if (start == rows.rows()) {
            progress.rows(start, rows.rows());
            return new Result(statistics, 0, resumed, 0, 0);
        }
        if (stateDirectory != null) {
            Files.createDirectories(stateDirectory);
        }
        long wall = System.nanoTime();
        long cpu = cpuNanos();
        try (CodeFile codes = stateDirectory == null ? null : CodeFile.append(stateDirectory, start)) {
            scan(statistics, start, codes, record);
            if (statistics.rows() != rows.rows()) {
                throw new IllegalStateException(rows.description() + " gave " + statistics.rows() + " rows of the "
                        + rows.rows() + " it declares");
            }
            if (stateDirectory != null) {
                if (codes != null) {
                    codes.flush();
                }
                save(statistics, record, true);
            }
        }
        double seconds = (System.nanoTime() - wall) / 1e9;
        double cpuSeconds = (cpuNanos() - cpu) / 1e9;
        return new Result(statistics, statistics.rows() - start, resumed, seconds, cpuSeconds);
    }

    /** Encodes the rows after {@code start} into {@code stats} (and {@code codes}), saving every {@link #saveEvery} seconds. */
    private void scan(ConceptStatistics stats, long start, CodeFile codes, ObjectNode record) throws IOException {
        DenseBlock sparse = new DenseBlock();
        long[] lastSave = {System.nanoTime()};
        rows.forEachBlock(blockRows, (first, block) -> {
            int n = (int) block.rows();
            if (first + n <= start) {
                return; // saved already
            }
            if (first != stats.rows()) {
                throw new MalformedFileException(
                        stateDirectory.resolve(STATISTICS).toString(),
                        "holds the statistics of " + stats.rows() + " rows, which is not where a block of "
                                + rows.description() + " ends; delete " + stateDirectory + " to scan again");
            }
            sparse.of(encoding.codes(block), stats.concepts());
            stats.add(first, n, sparse.indptr(), sparse.indices(), sparse.values(), contexts.labels(first, n));
            if (codes != null) {
                codes.add(sparse);
            }
            progress.rows(first + n, rows.rows());
            if (stateDirectory != null && (System.nanoTime() - lastSave[0]) / 1e9 >= saveSeconds) {
                if (codes != null) {
                    codes.flush(); // before the statistics that count these rows
                }
                save(stats, record, false);
                lastSave[0] = System.nanoTime();
            }
        });
    }

    /** The saved statistics if the state directory holds a pass of the same SAE, rows and settings; null if none. */
    private ConceptStatistics saved(ObjectNode record) throws IOException {
        Path stats = stateDirectory.resolve(STATISTICS);
        Path recordFile = stateDirectory.resolve(RECORD);
        if (!Files.exists(stats) || !Files.exists(recordFile)) {
            return null;
        }
        JsonNode was = new ObjectMapper().readTree(recordFile.toFile());
        for (String field : new String[] {"format", "format_version", "sae", "rows", "block_rows"}) {
            if (!Objects.equals(String.valueOf(was.get(field)), String.valueOf(record.get(field)))) {
                throw new IllegalStateException(stateDirectory + " holds a scan of another " + field.replace('_', ' ')
                        + " (" + was.get(field) + ", now " + record.get(field)
                        + "): give a new output directory, or delete it to scan again");
            }
        }
        ConceptStatistics s = ConceptStatistics.read(stats);
        if (!s.settings().equals(settings)) {
            throw new IllegalStateException(
                    stateDirectory + " holds statistics kept with other settings (" + s.settings() + ", now " + settings
                            + "): give a new output directory, or delete it to scan again");
        }
        return s;
    }

    private void save(ConceptStatistics stats, ObjectNode record, boolean finished) throws IOException {
        stats.write(stateDirectory.resolve(STATISTICS));
        ObjectNode r = record.deepCopy();
        r.put("rows_done", stats.rows());
        r.put("finished", finished);
        AtomicFiles.writeString(stateDirectory.resolve(RECORD), r.toPrettyString() + "\n");
    }

    private ObjectNode record() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode r = json.createObjectNode();
        r.put("format", FORMAT);
        r.put("format_version", FORMAT_VERSION);
        SparseAutoencoder sae = encoding.sae();
        ObjectNode s = r.putObject("sae");
        s.put("variant", sae.spec().variant().name());
        s.put("input", sae.inputDim());
        s.put("concepts", sae.nbConcepts());
        s.put("parameters_crc32", fingerprint(sae, encoding));
        ObjectNode d = r.putObject("rows");
        d.put("description", rows.description());
        d.put("rows", rows.rows());
        d.put("cols", rows.cols());
        d.put("contexts", contexts.kind().name().toLowerCase(java.util.Locale.ROOT));
        r.put("block_rows", blockRows);
        return r;
    }

    /** A CRC-32 of every parameter's values and of the preprocessing, in float64: a different SAE gives another. */
    static long fingerprint(SparseAutoencoder sae, Encoding encoding) {
        CRC32 crc = new CRC32();
        for (Parameter p : sae.parameters()) {
            update(crc, p.value());
        }
        if (encoding.preprocessing().mean() != null) {
            update(crc, encoding.preprocessing().mean());
        }
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putDouble(encoding.preprocessing().scale());
        crc.update(b.array());
        return crc.getValue();
    }

    private static void update(CRC32 crc, INDArray a) {
        double[] v = a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(v);
        crc.update(b.array());
    }

    private static long cpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }
}
