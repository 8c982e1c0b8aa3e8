package dev.saekit.cli;

import dev.saekit.concepts.ConceptStatistics;
import dev.saekit.dashboard.ConceptScan;
import dev.saekit.dashboard.Encoding;
import dev.saekit.dashboard.RowContexts;
import dev.saekit.dashboard.RowStream;
import dev.saekit.dashboard.TokenContexts;
import dev.saekit.io.DataLocation;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.sweep.Preprocessing;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code saekit dashboard} scans ({@link DashboardCommand#dashboard(DashboardInputs)}): the SAE
 * and the preprocessing its rows get, the rows and their contexts (labels, images or a harvest's
 * tokens), and how the scan keeps its statistics, opened by {@link DashboardCommand#open} from the
 * command's options. The single-machine command scans all rows and writes the site; {@code saekit
 * spark stats} scans ranges of them in tasks that parsed the same options. Closing it closes a
 * harvest's token contexts.
 */
public final class DashboardInputs implements AutoCloseable {
    private final SparseAutoencoder model;
    private final Preprocessing preprocessing;
    private final RowStream rows;
    private final DataLocation location;
    private final RowContexts contexts;
    private final TokenContexts tokens;
    private final ConceptStatistics.Settings settings;
    private final Map<Integer, String> conceptNames;
    private final int[] shape;
    private final Path data;
    private final String name;
    private final int batchSize;
    private final int segmentRows;
    private final Path scanDirectory;

    /**
     * The inputs of a scan of {@code rows} (read from {@code location}, or null for the embedded
     * words) with their {@code contexts} ({@code tokens} too when they are a harvest's, closed with
     * these inputs), the concepts' {@code conceptNames} and the image {@code shape} (or null); the
     * rest are the dashboard's options: {@code --data}, {@code --name}, {@code --batch-size}, {@code
     * --segment-rows}, and the scan's directory in {@code --out}.
     */
    DashboardInputs(
            SparseAutoencoder model,
            Preprocessing preprocessing,
            RowStream rows,
            DataLocation location,
            RowContexts contexts,
            TokenContexts tokens,
            ConceptStatistics.Settings settings,
            Map<Integer, String> conceptNames,
            int[] shape,
            Path data,
            String name,
            int batchSize,
            int segmentRows,
            Path scanDirectory) {
        this.model = model;
        this.preprocessing = preprocessing;
        this.rows = rows;
        this.location = location;
        this.contexts = contexts;
        this.tokens = tokens;
        this.settings = settings;
        this.conceptNames = conceptNames;
        this.shape = shape;
        this.data = data;
        this.name = name;
        this.batchSize = batchSize;
        this.segmentRows = segmentRows;
        this.scanDirectory = scanDirectory;
    }

    /** Rows to scan. */
    public long rows() {
        return rows.rows();
    }

    /**
     * The rows from the shard that holds row {@code from} to the one that holds row {@code to - 1}
     * (all of them when the data is one file or the embedded words), read in the blocks the scan
     * reads; {@code offset[0]} is set to the row where they start.
     */
    public RowStream rows(long from, long to, long[] offset) throws IOException {
        offset[0] = 0;
        if (location == null || location.isSingleFile()) {
            return rows;
        }
        return RowStream.of(location.shardsHolding(from, to, offset), model.dtype());
    }

    /** The SAE and the preprocessing its rows get. */
    public Encoding encoding() {
        return new Encoding(model, preprocessing);
    }

    /** The rows' contexts: their labels. */
    public RowContexts contexts() {
        return contexts;
    }

    /** What the scan keeps per concept. */
    public ConceptStatistics.Settings settings() {
        return settings;
    }

    /** Rows encoded at once: --batch-size. */
    public int blockRows() {
        return batchSize;
    }

    /** Rows per segment of the statistics: --segment-rows. */
    public int segmentRows() {
        return segmentRows;
    }

    /** The dashboard's scan of these rows, as it is configured here: its statistics saved in --out's scan/. */
    public ConceptScan scan() {
        return ConceptScan.builder(new Encoding(model, preprocessing), rows, contexts)
                .settings(settings)
                .blockRows(batchSize)
                .segmentRows(segmentRows)
                .stateDirectory(scanDirectory);
    }

    @Override
    public void close() throws IOException {
        if (tokens != null) {
            tokens.close();
        }
    }

    /** All the rows, read in the blocks the scan reads. */
    RowStream allRows() {
        return rows;
    }

    /** Names for concepts, from --names (empty without it). */
    Map<Integer, String> conceptNames() {
        return conceptNames;
    }

    /** The rows' image shape {height, width} from --image-shape, or null. */
    int[] imageShape() {
        return shape;
    }
}
