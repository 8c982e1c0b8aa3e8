package dev.saekit.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.cli.CliException;
import dev.saekit.cli.DashboardCommand;
import dev.saekit.cli.DashboardInputs;
import dev.saekit.cli.SaekitCli;
import dev.saekit.concepts.ConceptStatistics;
import dev.saekit.concepts.StatisticsPart;
import dev.saekit.dashboard.ConceptScan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code saekit spark stats}: the scan of {@code saekit dashboard} on a Spark cluster. The driver
 * checks the options, prepares --out as the dashboard does and cuts the rows into contiguous ranges
 * of whole segments; each range is one task, which opens the SAE, the rows and their contexts as the
 * dashboard does and computes the statistics of its rows ({@link StatisticsPart}, shipped as bytes),
 * reading only the shards that hold them. Spark merges the parts with a tree reduce on the executors
 * (a merge is exact in any order and grouping: the same bits whatever Spark pairs); the driver
 * finishes the one part left and writes the finished scan into --out's {@code scan/}, where {@code
 * saekit dashboard} with the same options finds it and writes the site without scanning. When --out
 * already holds a finished scan, it is found as the dashboard finds it: one of the same SAE, rows,
 * segment rows and settings is reused without starting Spark; another is refused with what differs
 * (--overwrite scans again).
 */
@Command(
        name = "stats",
        description = {
            "Compute the statistics of `saekit dashboard`'s scan in parts on a Spark cluster and save them in --out's",
            "scan/: then `saekit dashboard` with the same options writes the site without scanning. The same options",
            "as dashboard (those of the site only matter to it); --sae and --data must be storage every executor reads.",
            "A finished scan with the same options already in --out's scan/ is reused; one with others is refused",
            "(--overwrite scans again)."
        })
public final class SparkStatsCommand extends DashboardCommand {
    @Mixin
    SparkOptions spark;

    @Option(
            names = "--parts",
            paramLabel = "N",
            description = "Ranges of rows to scan, each one task (fewer if the rows have fewer segments)."
                    + " Default: --workers.")
    Integer parts;

    @Override
    protected int dashboard(DashboardInputs in) throws CliException, IOException {
        ConceptScan scan = in.scan();
        long rows = in.rows();
        if (rows == 0) {
            throw new CliException(SaekitCli.EXIT_INPUT, "the data has no rows to scan");
        }
        if (reused(scan)) {
            return 0;
        }
        SparkSession session = Clusters.session("stats", spark);
        try {
            JavaSparkContext sc = Clusters.context(session);
            int workers = Clusters.workers(spark, sc);
            int wanted = parts != null ? parts : workers;
            if (wanted < 1) {
                throw new CliException(SaekitCli.EXIT_USAGE, "--parts must be >= 1, was " + wanted);
            }
            List<long[]> ranges = ranges(rows, segmentRows(), wanted);
            PrintWriter stdout = commandSpec().commandLine().getOut();
            stdout.printf(
                    Locale.ROOT,
                    "spark     %,d rows in %d part(s) of whole %,d-row segments on %s (%d worker(s))%n",
                    rows,
                    ranges.size(),
                    segmentRows(),
                    spark.master(),
                    workers);
            stdout.flush();
            HashMap<String, Object> options = CommandOptions.of(commandSpec(), new DashboardCommand());
            long t0 = System.nanoTime();
            StatsTask.Part done;
            try { // merged by Spark as the parts finish: merge is exact in any order and grouping
                done = sc.parallelize(ranges, Math.max(1, ranges.size()))
                        .map(new StatsTask(options))
                        .treeReduce(new MergeParts());
            } catch (
                    Exception e) { // a task's failure, as Spark reports it (a SparkException, checked but not declared)
                throw new CliException(
                        SaekitCli.EXIT_INPUT, "the scan on the cluster failed: " + SparkEncodeCommand.taskFailure(e));
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            double compute = done.seconds();
            ConceptStatistics finished = StatisticsPart.fromBytes(done.bytes()).finish(rows);
            scan.writeFinished(finished);
            double mergeSeconds = (System.nanoTime() - t1) / 1e9;
            stdout.printf(
                    Locale.ROOT,
                    "scanned   %,d rows x %,d concepts in %.1f s on the cluster (%,.0f rows/s): tasks spent %.1f s"
                            + " scanning and merging; finished and saved in %.1f s%n",
                    rows,
                    finished.concepts(),
                    wall,
                    rows / Math.max(wall, 1e-9),
                    compute,
                    mergeSeconds);
            stdout.println("wrote     " + scanDirectory().resolve(ConceptScan.STATISTICS) + " and " + ConceptScan.RECORD
                    + ": `saekit dashboard` with the same options writes the site from it");
            return 0;
        } finally {
            session.stop();
        }
    }

    /**
     * Whether --out's {@code scan/} holds a finished scan, which {@code saekit dashboard} would find
     * rather than repeat: then it is reported as reused and true is returned. It is found as the
     * dashboard finds it ({@link ConceptScan#run}, which returns a finished scan without reading a
     * row): it must be of the same SAE, rows, segment rows and settings, else this refuses, as the
     * dashboard does, with what differs. An unfinished scan, or none, gives false: the cluster scans
     * and its finished scan replaces an unfinished one.
     */
    private boolean reused(ConceptScan scan) throws IOException {
        Path dir = scanDirectory();
        Path record = dir.resolve(ConceptScan.RECORD);
        if (!Files.isRegularFile(record) || !Files.isRegularFile(dir.resolve(ConceptScan.STATISTICS))) {
            return false;
        }
        if (!new ObjectMapper().readTree(record.toFile()).path("finished").asBoolean(false)) {
            return false;
        }
        ConceptScan.Result found;
        try {
            found = scan.run();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + " (or give --overwrite)", e);
        }
        if (found.rowsThisRun() != 0) { // cannot happen: a finished record with its statistics is found, or refused
            throw new IllegalStateException(dir + " held a finished scan, but it was scanned again");
        }
        PrintWriter stdout = commandSpec().commandLine().getOut();
        stdout.printf(
                Locale.ROOT,
                "reused    %s: the finished scan of the same SAE, %,d rows, settings and segment rows; nothing to"
                        + " scan (--overwrite scans again)%n",
                dir.resolve(ConceptScan.STATISTICS),
                found.statistics().rows());
        stdout.flush();
        return true;
    }

    /**
     * Up to {@code parts} ranges {@code [from, to)} of whole segments of about equal size, the last
     * ending at the last row.
     */
    static List<long[]> ranges(long rows, int segmentRows, int parts) {
        long segments = (rows + segmentRows - 1) / segmentRows;
        long n = Math.min(parts, segments);
        List<long[]> ranges = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            long from = segments * i / n * segmentRows;
            long to = Math.min(rows, segments * (i + 1) / n * segmentRows);
            ranges.add(new long[] {from, to});
        }
        return ranges;
    }

    /** Two parts' statistics merged into one (on an executor, as Spark's tree reduce pairs them), their seconds added. */
    static final class MergeParts
            implements org.apache.spark.api.java.function.Function2<StatsTask.Part, StatsTask.Part, StatsTask.Part> {
        @Override
        public StatsTask.Part call(StatsTask.Part a, StatsTask.Part b) throws Exception {
            long t0 = System.nanoTime();
            StatisticsPart merged = StatisticsPart.fromBytes(a.bytes()).merge(StatisticsPart.fromBytes(b.bytes()));
            return new StatsTask.Part(merged.toBytes(), a.seconds() + b.seconds() + (System.nanoTime() - t0) / 1e9);
        }
    }
}
