package dev.saekit.spark;

import dev.saekit.cli.CliException;
import dev.saekit.cli.CodeSink;
import dev.saekit.cli.CsrCodeSink;
import dev.saekit.cli.EncodeCommand;
import dev.saekit.cli.EncodeCounts;
import dev.saekit.cli.EncodeJob;
import dev.saekit.cli.SaekitCli;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.DataLocation;
import dev.saekit.io.Safetensors;
import dev.saekit.tensor.DType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code saekit spark encode}: {@code saekit encode} in parts on a Spark cluster. The driver checks
 * the options and opens the model and the data as encode does, and cuts the rows into contiguous
 * ranges of whole blocks (the blocks of one pass, so every row's codes are the same bits); each range
 * is one task, which encodes it into a part file under {@code OUT.parts/} and then commits it with a
 * small record of its counts. The driver then appends the parts in row order into {@code --out},
 * written as encode writes it (atomically), and deletes the parts. A rerun with the same options
 * skips the parts committed before.
 */
@Command(
        name = "encode",
        description = {
            "Encode as `saekit encode` does, in parts on a Spark cluster: the same options, the same --out file (byte",
            "for byte). --out's directory must be storage the driver and every executor share; a rerun skips finished parts."
        })
public final class SparkEncodeCommand extends EncodeCommand {
    /** The parts' directory beside {@code --out}: {@code OUT.parts}. */
    static final String PARTS_SUFFIX = ".parts";

    @Mixin
    SparkOptions spark;

    @Option(
            names = "--parts",
            paramLabel = "N",
            description = "Ranges of rows to encode, each one task that commits on its own (fewer if the data has"
                    + " fewer blocks). Default: --workers.")
    Integer parts;

    @Option(
            names = "--shards",
            description = "With --sparse: keep each part as a CSR file of its own beside --out (codes.safetensors gives"
                    + " codes-00000.safetensors, ...) and list them in codes.shards.json, instead of appending the"
                    + " parts into one file on the driver: for codes too large to pass through one machine.")
    boolean shards;

    @Override
    protected int encode(EncodeJob job) throws CliException, IOException {
        if (job.rows() == 0) {
            return super.encode(job);
        }
        if (shards && !sparse()) {
            throw new CliException(SaekitCli.EXIT_USAGE, "--shards keeps the parts as CSR files: give --sparse too");
        }
        SparkSession session = Clusters.session("encode", spark);
        try {
            JavaSparkContext sc = Clusters.context(session);
            int workers = Clusters.workers(spark, sc);
            int wanted = parts != null ? parts : workers;
            if (wanted < 1) {
                throw new CliException(SaekitCli.EXIT_USAGE, "--parts must be >= 1, was " + wanted);
            }
            List<EncodeRange> ranges = EncodeRange.plan(job.blockStarts(), wanted);
            HashMap<String, Object> options = CommandOptions.of(commandSpec(), new EncodeCommand());
            Path dir = partsDirectory(options, ranges);
            List<EncodeRange> todo = new ArrayList<>();
            for (EncodeRange r : ranges) {
                if (!Files.isRegularFile(r.record(dir))) {
                    todo.add(r);
                }
            }
            PrintWriter stdout = commandSpec().commandLine().getOut();
            stdout.printf(
                    Locale.ROOT,
                    "spark     %,d rows in %d part(s) on %s (%d worker(s)); %d to encode, %d committed before%n",
                    job.rows(),
                    ranges.size(),
                    spark.master(),
                    workers,
                    todo.size(),
                    ranges.size() - todo.size());
            stdout.flush();
            long t0 = System.nanoTime();
            List<Double> seconds = List.of();
            if (!todo.isEmpty()) {
                try {
                    seconds = sc.parallelize(todo, todo.size())
                            .map(new EncodeTask(options, dir.toAbsolutePath().toString(), sparse()))
                            .collect();
                } catch (Exception e) { // a task's failure, as Spark reports it (a SparkException, checked but not
                    // declared)
                    throw new CliException(
                            SaekitCli.EXIT_INPUT,
                            "encoding on the cluster failed: " + taskFailure(e)
                                    + "; the parts committed so far are kept in " + dir
                                    + ": run the same command again to finish");
                }
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double compute = seconds.stream().mapToDouble(Double::doubleValue).sum();
            long t1 = System.nanoTime();
            Published published = shards
                    ? publishShards(ranges, dir, job.concepts())
                    : new Published(assemble(job, ranges, dir), out().toString());
            EncodeCounts counts = published.counts();
            double assembleSeconds = (System.nanoTime() - t1) / 1e9;
            long computed = EncodeRange.rows(todo);
            stdout.printf(
                    Locale.ROOT,
                    "encoded   %,d of %,d rows in %.1f s on the cluster (%,.0f rows/s): tasks spent %.1f s encoding;"
                            + " assembled in %.1f s%n",
                    computed,
                    job.rows(),
                    wall,
                    computed / Math.max(wall, 1e-9),
                    compute,
                    assembleSeconds);
            report(job, counts, published.written());
            LocalFiles.deleteTree(dir);
            return 0;
        } finally {
            session.stop();
        }
    }

    /**
     * {@code OUT.parts}, ready for this plan: parts committed by an earlier run of the same options
     * and ranges are kept, anything else there is deleted.
     */
    private Path partsDirectory(Map<String, Object> options, List<EncodeRange> ranges) throws IOException {
        Path dir = out().toAbsolutePath().resolveSibling(out().getFileName() + PARTS_SUFFIX);
        String plan = new java.util.TreeMap<>(options) + "\n" + ranges + "\n";
        Path planFile = dir.resolve("plan.txt");
        if (Files.isDirectory(dir)
                && !(Files.isRegularFile(planFile) && Files.readString(planFile).equals(plan))) {
            LocalFiles.deleteTree(dir);
        }
        Files.createDirectories(dir);
        if (!Files.isRegularFile(planFile)) {
            AtomicFiles.writeString(planFile, plan);
        }
        return dir;
    }

    /** The parts' counts summed in row order, and the lines they wrote for skipped rows. */
    private static final class Totals {
        private long kept;
        private long skipped;
        private double[] active = new double[0];
        private final List<String> named = new ArrayList<>();

        void add(PartRecord record) {
            kept += record.counts().kept();
            skipped += record.counts().skipped();
            double[] a = record.counts().blockActive();
            int at = active.length;
            active = Arrays.copyOf(active, at + a.length);
            System.arraycopy(a, 0, active, at, a.length);
            named.addAll(record.warnings());
        }

        /** The counts; the first skipped rows named on {@code err}, as one pass names them. */
        EncodeCounts finish(PrintWriter err) {
            named.stream().limit(NAMED_SKIPS).forEach(err::println);
            return new EncodeCounts(kept, skipped, active);
        }
    }

    /** What holds the codes, for the line that names it, and their counts. */
    private record Published(EncodeCounts counts, String written) {}

    /** Appends the committed parts in row order into {@code --out}, as one pass writes it; their counts summed in order. */
    private EncodeCounts assemble(EncodeJob job, List<EncodeRange> ranges, Path dir) throws CliException, IOException {
        Totals totals = new Totals();
        try (CodeSink sink = job.sink(out())) {
            for (EncodeRange r : ranges) {
                PartRecord record = PartRecord.read(r.record(dir));
                totals.add(record);
                Path file = r.codes(dir, sparse());
                if (sparse() && record.counts().kept() > 0) {
                    Map<String, INDArray> csr = Safetensors.read(file);
                    ((CsrCodeSink) sink)
                            .appendCsr(
                                    csr.get("indptr").toLongVector(),
                                    csr.get("indices").toLongVector(),
                                    csr.get("values").toFloatVector());
                } else if (!sparse() && record.counts().kept() > 0) { // a part of no rows has nothing to read
                    DataLocation.of(List.of(file), null, 1)
                            .forEachRowBlock(DType.FLOAT32, batchSize(), false, (first, rows) -> sink.append(rows));
                }
            }
            sink.commit();
        }
        return totals.finish(commandSpec().commandLine().getErr());
    }

    /** One shard of {@code --shards}: its file, its rows in the codes, and the rows of the data it encodes. */
    record Shard(String file, long firstRow, long rows, long dataFrom, long dataTo) {}

    /** {@code OUT.shards.json}: what {@code --shards} wrote, in row order. */
    record ShardList(String format, long concepts, long rows, List<Shard> shards) {}

    /**
     * Moves each committed part's CSR file beside {@code --out} as a shard ({@code codes-00003.safetensors}),
     * then writes {@code codes.shards.json} last; shards of an earlier run of that name are replaced.
     */
    private Published publishShards(List<EncodeRange> ranges, Path dir, long concepts) throws IOException {
        Path out = out().toAbsolutePath();
        String stem = out.getFileName().toString().replaceFirst("\\.safetensors$", "");
        Path list = out.resolveSibling(stem + ".shards.json");
        Files.deleteIfExists(list); // first, so that a half-replaced set is never taken for a whole one
        try (Stream<Path> old = Files.list(out.getParent())) {
            for (Path p : old.filter(p -> p.getFileName()
                            .toString()
                            .matches(java.util.regex.Pattern.quote(stem) + "-[0-9]{5}\\.safetensors"))
                    .toList()) {
                Files.delete(p);
            }
        }
        Totals totals = new Totals();
        List<Shard> written = new ArrayList<>();
        for (EncodeRange r : ranges) {
            PartRecord record = PartRecord.read(r.record(dir));
            if (record.counts().kept() > 0) {
                String name = String.format(Locale.ROOT, "%s-%05d.safetensors", stem, written.size());
                Files.move(r.codes(dir, true), out.resolveSibling(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                written.add(new Shard(name, totals.kept, record.counts().kept(), r.from(), r.to()));
            }
            totals.add(record);
        }
        AtomicFiles.writeString(
                list,
                new com.fasterxml.jackson.databind.ObjectMapper()
                                .setPropertyNamingStrategy(
                                        com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
                                .writerWithDefaultPrettyPrinter()
                                .writeValueAsString(
                                        new ShardList("saekit sparse code shards 1", concepts, totals.kept, written))
                        + "\n");
        return new Published(
                totals.finish(commandSpec().commandLine().getErr()),
                out.resolveSibling(stem) + "-NNNNN.safetensors (" + written.size() + " shards, listed in " + list
                        + ")");
    }

    /** A task's failure in one line: its own message where it gave one, else Spark's. */
    static String taskFailure(Exception e) {
        String cause = SparkFailures.cause(e);
        return cause.startsWith("IOException: ") ? cause.substring("IOException: ".length()) : cause;
    }

    /** The lines a part's task wrote for the rows it skipped, one per row. */
    static List<String> lines(StringWriter text) {
        String s = text.toString();
        return s.isEmpty() ? List.of() : List.of(s.split("\n"));
    }
}
