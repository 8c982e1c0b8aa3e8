package dev.saekit.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.concepts.ConceptStatistics;
import dev.saekit.concepts.DenseBlock;
import dev.saekit.concepts.StatisticsPart;
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
 * label ids) go into a {@link StatisticsPart} of all the rows, whose memory does not grow with the
 * rows, and which {@linkplain StatisticsPart#finish finishes} into the {@link ConceptStatistics}.
 * The statistics are defined per segment of {@link #segmentRows} rows, so the pass gives bit for bit
 * what parts of the rows scanned apart ({@link #scanPart}) and {@linkplain StatisticsPart#combine
 * combined} give, whatever the cut.
 *
 * <p>With a state directory the pass is saved there as it goes, at segment boundaries ({@value
 * #PART}, then {@value #RECORD}, each written whole or not at all), and a later run with the same
 * SAE, rows, block and segment sizes and settings continues from the last save with the result an
 * uninterrupted pass gives. A finished pass leaves {@value #STATISTICS} and a record that says it is
 * finished, and is found rather than repeated (then only the SAE, the rows, the segment size and the
 * settings must match); {@link #writeFinished} leaves the same from statistics gathered elsewhere.
 * Records of format version 1 (before segments) are read when they are finished, and refused when
 * they are not.
 *
 * <pre>{@code
 * ConceptScan.Result r = ConceptScan.builder(new Encoding(sae, preprocessing), rows, contexts)
 *         .settings(ConceptStatistics.Settings.of(sae.nbConcepts()))
 *         .stateDirectory(site.resolve("scan"))
 *         .run();
 * }</pre>
 */
public final class ConceptScan {
    /** The statistics of a finished pass in a state directory. */
    public static final String STATISTICS = "statistics.bin";
    /** The saved part of an unfinished pass in a state directory. */
    public static final String PART = "part.bin";
    /** The record of what was scanned, in a state directory. */
    public static final String RECORD = "scan.json";

    static final String FORMAT = "saekit-concept-scan";
    static final int FORMAT_VERSION = 2;

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
    private int segmentRows = StatisticsPart.DEFAULT_SEGMENT_ROWS;
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

    /**
     * Rows per segment (default {@value StatisticsPart#DEFAULT_SEGMENT_ROWS}), part of the statistics'
     * definition (see {@link StatisticsPart}) and of what a continued or found pass must match. A
     * multiple of the block size keeps saves regular: they happen where a block ends a segment.
     */
    public ConceptScan segmentRows(int v) {
        if (v <= 0) {
            throw new IllegalArgumentException("segmentRows must be > 0, was " + v);
        }
        this.segmentRows = v;
        return this;
    }

    /** Where the statistics are saved as the pass goes, and found again by a later run (null: not saved). */
    public ConceptScan stateDirectory(Path v) {
        this.stateDirectory = v;
        return this;
    }

    /** Seconds between saves (default 60): the first segment boundary that ends a block after them. */
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
        Object saved = stateDirectory == null ? null : saved(record);
        if (saved instanceof ConceptStatistics finished) {
            progress.rows(finished.rows(), rows.rows());
            return new Result(finished, 0, true, 0, 0);
        }
        boolean resumed = saved != null;
        StatisticsPart part = resumed ? (StatisticsPart) saved : StatisticsPart.starting(settings, segmentRows, 0);
        long start = part.endRow();
        if (stateDirectory != null) {
            Files.createDirectories(stateDirectory);
        }
        long wall = System.nanoTime();
        long cpu = cpuNanos();
        try (CodeFile codes =
                stateDirectory == null || start == rows.rows() ? null : CodeFile.append(stateDirectory, start)) {
            if (start < rows.rows()) {
                scan(part, start, codes, record);
            }
            if (part.endRow() != rows.rows()) {
                throw new IllegalStateException(
                        rows.description() + " gave " + part.endRow() + " rows of the " + rows.rows() + " it declares");
            }
            if (codes != null) {
                codes.flush();
            }
        }
        ConceptStatistics statistics = part.finish(rows.rows());
        if (stateDirectory != null) {
            saveFinished(statistics, record);
        }
        double seconds = (System.nanoTime() - wall) / 1e9;
        double cpuSeconds = (cpuNanos() - cpu) / 1e9;
        return new Result(statistics, statistics.rows() - start, resumed, seconds, cpuSeconds);
    }

    /**
     * The part of rows {@code [from, to)}: what this pass would gather from them, to {@linkplain
     * StatisticsPart#merge merge} with the other parts' in any order (as a cluster scanning the rows
     * in parts does) and {@linkplain StatisticsPart#finish finish} into this pass's statistics. {@code from} is a multiple of {@link #segmentRows}; {@code to} one too, or the last row.
     * The rows are encoded in the blocks a whole pass encodes them in (the stream is read from its
     * start; blocks before {@code from} are read but not encoded, and the stream is not read past the
     * block that holds row {@code to - 1}), so their codes are the same bits ({@link BlockFeed#part}).
     * Nothing is saved; the state directory is not used.
     */
    public StatisticsPart scanPart(long from, long to) throws IOException {
        if (from < 0 || from > to || to > rows.rows()) {
            throw new IllegalArgumentException("rows [" + from + ", " + to + ") are not a range of the " + rows.rows()
                    + " rows of " + rows.description());
        }
        if (to % segmentRows != 0 && to != rows.rows()) {
            throw new IllegalArgumentException("a part ends at a multiple of segmentRows=" + segmentRows
                    + " or at the last row (" + rows.rows() + "), not at row " + to);
        }
        return BlockFeed.part(rows, 0, blockRows, encoding, contexts, settings, segmentRows, from, to, progress);
    }

    /**
     * Leaves in the state directory a finished pass whose statistics are {@code statistics},
     * gathered elsewhere (parts combined by {@link StatisticsPart#combine}) with this pass's settings
     * and segment size over all its rows: {@value #STATISTICS} and the {@value #RECORD} this pass
     * writes, so that a {@link #run} (a dashboard) with the same SAE, rows and settings finds it
     * instead of scanning. Saved parts and codes of an earlier pass there are deleted (the
     * dashboard's contexts then encode their rows again).
     *
     * @throws IllegalArgumentException if the statistics have other settings or rows
     * @throws IllegalStateException without a state directory
     */
    public void writeFinished(ConceptStatistics statistics) throws IOException {
        if (stateDirectory == null) {
            throw new IllegalStateException("give the state directory to write the finished scan into");
        }
        if (!statistics.settings().equals(settings)) {
            throw new IllegalArgumentException("the statistics were kept with other settings (" + statistics.settings()
                    + ") than this pass keeps (" + settings + ")");
        }
        if (statistics.rows() != rows.rows()) {
            throw new IllegalArgumentException("the statistics hold " + statistics.rows() + " rows, but "
                    + rows.description() + " has " + rows.rows());
        }
        Files.createDirectories(stateDirectory);
        Files.deleteIfExists(stateDirectory.resolve(CodeFile.CODES));
        Files.deleteIfExists(stateDirectory.resolve(CodeFile.OFFSETS));
        saveFinished(statistics, record());
    }

    /**
     * Encodes the rows after {@code start} into {@code part} (and {@code codes}), saving every {@link
     * #saveEvery} seconds at the next segment boundary. Each block is encoded whole (its codes are the
     * same bits wherever a pass stopped) and added to the statistics in pieces that end at segment
     * boundaries, so that a save can fall inside a block: the shards of a harvest end between windows,
     * so their blocks seldom end on a boundary. A continued pass starts inside the block holding
     * {@code start} and adds that block's rows from there; the code file is cut back to {@code start}.
     */
    private void scan(StatisticsPart part, long start, CodeFile codes, ObjectNode record) throws IOException {
        DenseBlock sparse = new DenseBlock();
        long[] lastSave = {System.nanoTime()};
        rows.forEachBlock(blockRows, (first, block) -> {
            int n = (int) block.rows();
            if (first + n <= start) {
                return; // saved already
            }
            if (first > part.endRow() || (first < part.endRow() && part.endRow() != start)) {
                throw new MalformedFileException(
                        stateDirectory == null
                                ? rows.description()
                                : stateDirectory.resolve(PART).toString(),
                        "holds the statistics of " + part.endRow() + " rows, which is not where a block of "
                                + rows.description() + " ends or where the pass stopped; delete " + stateDirectory
                                + " to scan again");
            }
            int r = (int) (part.endRow() - first); // 0, or where a continued pass starts inside this block
            sparse.of(encoding.codes(block), part.settings().concepts());
            if (codes != null) {
                codes.add(sparse, r);
            }
            while (r < n) {
                long at = first + r;
                int end = (int) Math.min(n, (at / segmentRows + 1) * segmentRows - first);
                BlockFeed.add(part, sparse, first, r, end, contexts);
                r = end;
                if (stateDirectory != null
                        && part.endRow() % segmentRows == 0
                        && (System.nanoTime() - lastSave[0]) / 1e9 >= saveSeconds) {
                    if (codes != null) {
                        codes.flush(); // before the statistics that count these rows (it may hold more)
                    }
                    part.write(stateDirectory.resolve(PART));
                    AtomicFiles.writeString(
                            stateDirectory.resolve(RECORD), progressRecord(record, part.endRow(), false));
                    lastSave[0] = System.nanoTime();
                }
            }
            progress.rows(first + n, rows.rows());
        });
    }

    /**
     * What the state directory holds of a pass of the same SAE, rows and settings: the {@link
     * ConceptStatistics} of a finished one, the {@link StatisticsPart} of an unfinished one, or null.
     */
    private Object saved(ObjectNode record) throws IOException {
        Path recordFile = stateDirectory.resolve(RECORD);
        if (!Files.exists(recordFile)) {
            return null;
        }
        JsonNode was = new ObjectMapper().readTree(recordFile.toFile());
        boolean finished = was.path("finished").asBoolean(false);
        int version = was.path("format_version").asInt(-1);
        same(was, record, "format");
        if (version == 1 && !finished) {
            throw new IllegalStateException(stateDirectory + " holds an unfinished scan of an earlier saekit (format"
                    + " version 1, before segments), which cannot be continued: delete it to scan again");
        }
        if (version != 1 && version != FORMAT_VERSION) {
            throw new IllegalStateException(stateDirectory + " holds a scan of format version " + version
                    + "; this saekit reads versions 1 and " + FORMAT_VERSION + ": delete it to scan again");
        }
        same(was, record, "sae");
        same(was, record, "rows");
        if (version == FORMAT_VERSION) {
            same(was, record, "segment_rows");
        }
        if (!finished) {
            same(was, record, "block_rows"); // where a continued pass picks up
        }
        Path file = stateDirectory.resolve(finished ? STATISTICS : PART);
        if (!Files.exists(file)) {
            return null; // nothing saved (or the statistics were deleted): scan again
        }
        ConceptStatistics.Settings kept;
        Object s;
        if (finished) {
            ConceptStatistics statistics = ConceptStatistics.read(file);
            kept = statistics.settings();
            s = statistics;
        } else {
            StatisticsPart part = StatisticsPart.read(file);
            if (part.firstRow() != 0 || part.rows() != part.endRow() || part.segmentRows() != segmentRows) {
                throw new MalformedFileException(
                        file.toString(),
                        "holds rows " + part.covers() + " in segments of " + part.segmentRows()
                                + ", not a pass's from row 0 in segments of " + segmentRows + "; delete "
                                + stateDirectory + " to scan again");
            }
            kept = part.settings();
            s = part;
        }
        if (!kept.equals(settings)) {
            throw new IllegalStateException(stateDirectory + " holds statistics kept with other settings (" + kept
                    + ", now " + settings + "): give a new output directory, or delete it to scan again");
        }
        return s;
    }

    /** Refuses a state directory whose record's {@code field} differs from this pass's. */
    private void same(JsonNode was, ObjectNode record, String field) {
        if (!Objects.equals(String.valueOf(was.get(field)), String.valueOf(record.get(field)))) {
            throw new IllegalStateException(stateDirectory + " holds a scan of another " + field.replace('_', ' ')
                    + " (" + was.get(field) + ", now " + record.get(field)
                    + "): give a new output directory, or delete it to scan again");
        }
    }

    /** Writes a finished pass: its statistics, then the record that says so; then drops the saved part. */
    private void saveFinished(ConceptStatistics statistics, ObjectNode record) throws IOException {
        statistics.write(stateDirectory.resolve(STATISTICS));
        AtomicFiles.writeString(stateDirectory.resolve(RECORD), progressRecord(record, statistics.rows(), true));
        Files.deleteIfExists(stateDirectory.resolve(PART));
    }

    private static String progressRecord(ObjectNode record, long rowsDone, boolean finished) {
        ObjectNode r = record.deepCopy();
        r.put("rows_done", rowsDone);
        r.put("finished", finished);
        return r.toPrettyString() + "\n";
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
        r.put("segment_rows", segmentRows);
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
