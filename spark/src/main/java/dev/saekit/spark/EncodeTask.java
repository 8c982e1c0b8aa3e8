package dev.saekit.spark;

import dev.saekit.cli.CliException;
import dev.saekit.cli.CodeSink;
import dev.saekit.cli.EncodeCommand;
import dev.saekit.cli.EncodeCounts;
import dev.saekit.cli.EncodeJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import org.apache.spark.api.java.function.Function;

/**
 * One range of a {@code saekit spark encode} on an executor: opens the model and the data as encode
 * does, encodes the range's blocks into the part's file (committed atomically), then writes the
 * part's record; returns the seconds it took.
 */
record EncodeTask(HashMap<String, Object> options, String dir, boolean sparse)
        implements Function<EncodeRange, Double> {
    @Override
    public Double call(EncodeRange range) throws Exception {
        long t0 = System.nanoTime();
        EncodeCommand command = CommandOptions.apply(options, new EncodeCommand());
        Path parts = Path.of(dir);
        StringWriter warnings = new StringWriter();
        try {
            EncodeJob job = command.open();
            EncodeCounts counts;
            try (CodeSink sink = job.sink(range.codes(parts, sparse));
                    PrintWriter err = new PrintWriter(warnings)) {
                counts = job.encode(range.from(), range.to(), sink, err, row -> {});
                sink.commit();
            } catch (IOException | RuntimeException e) {
                throw job.failure(e);
            }
            new PartRecord(
                            counts,
                            SparkEncodeCommand.lines(warnings).stream()
                                    .limit(EncodeCommand.NAMED_SKIPS)
                                    .toList())
                    .write(range.record(parts));
        } catch (CliException e) {
            throw new IOException(e.getMessage(), e);
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
