package dev.saekit.io.hostile;

import dev.saekit.io.DataFiles;
import dev.saekit.io.DataLocation;
import dev.saekit.io.MalformedFileException;
import dev.saekit.io.ShardedDataset;
import dev.saekit.tensor.DType;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every reader run on one location, in the order a user meets them, until one refuses it: open
 * (headers, {@link DataLocation#open}), statistics (the sequential pass of {@code data-info}),
 * read and load (into memory, unchecked and checked, when the matrix is at most
 * {@link #MAX_LOAD_BYTES}), stream (a {@link ShardedDataset}, in order and shuffled) and scan (the
 * checked pass before training). Each run has a timeout; its outcome is classified.
 */
final class ReaderRun implements AutoCloseable {
    /** The largest matrix read into memory: larger honest files (a zip bomb) are described and streamed only. */
    static final long MAX_LOAD_BYTES = 64L << 20;

    /** What a run gave. */
    enum Outcome {
        READ_FINE,
        CLEAR_ERROR,
        HANG,
        OUT_OF_MEMORY,
        UNEXPECTED
    }

    /**
     * @param outcome what happened
     * @param step    the step that failed ({@code open}, {@code statistics}, {@code read}, {@code load}, {@code stream},
     *                {@code scan}), or {@code done}
     * @param detail  the exception, or empty
     */
    record Result(Outcome outcome, String step, String detail) {
        boolean refusedEarly() {
            return outcome == Outcome.CLEAR_ERROR && (step.equals("open") || step.equals("statistics"));
        }
    }

    private final long timeoutMillis;
    private ExecutorService worker = newWorker();

    ReaderRun(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "reader-run");
            t.setDaemon(true); // a hung reader must not keep the JVM alive
            return t;
        });
    }

    /** Runs every reader on {@code location} (a file, directory or glob) with {@code name} and {@code rowAxes}. */
    Result run(String location, String name, int rowAxes) {
        String[] step = {"open"};
        Future<Result> f = worker.submit(() -> {
            try {
                steps(location, name, rowAxes, step);
                return new Result(Outcome.READ_FINE, "done", "");
            } catch (Throwable t) {
                return classify(t, location, step[0]);
            }
        });
        try {
            return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            worker.shutdownNow();
            worker = newWorker(); // the hung thread is left behind, a daemon
            return new Result(Outcome.HANG, step[0], "no result after " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(Outcome.UNEXPECTED, step[0], e.toString());
        } catch (ExecutionException e) {
            return classify(e.getCause(), location, step[0]);
        }
    }

    private static void steps(String location, String name, int rowAxes, String[] step) throws Exception {
        DataLocation data = DataLocation.open(location, name, rowAxes);
        step[0] = "statistics";
        data.statistics();
        boolean small = (double) data.rows() * data.cols() * 8 <= MAX_LOAD_BYTES;
        if (small && data.isSingleFile()) {
            step[0] = "read";
            INDArray m = DataFiles.read(Path.of(location), name, rowAxes).matrix();
            if (m.rows() != data.rows() || m.columns() != data.cols()) {
                throw new IllegalStateException("read " + m.rows() + " x " + m.columns() + " but the headers say "
                        + data.rows() + " x " + data.cols());
            }
        }
        if (small) {
            step[0] = "load";
            data.load(DType.FLOAT32);
        }
        step[0] = "stream";
        try (ShardedDataset streamed =
                ShardedDataset.builder(data).bufferRows(64).chunkRows(16).build()) {
            long rows = 0;
            for (INDArray batch : streamed.batchesInOrder(32)) {
                rows += batch.rows();
            }
            for (INDArray batch : streamed.batches(16, 1, 0)) {
                rows -= batch.rows();
            }
            if (rows != 0) {
                throw new IllegalStateException("a shuffled epoch did not give every row once");
            }
        }
        step[0] = "scan";
        data.check(DType.FLOAT32);
    }

    /**
     * A clear error is one the readers promise: a {@link MalformedFileException}, an
     * {@link IllegalArgumentException} (bad values, names, sizes, widths) or a missing or unreadable
     * file, with a one-line message that names the location. Anything else is unexpected: a bug.
     */
    static Result classify(Throwable t, String location, String step) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return new Result(Outcome.OUT_OF_MEMORY, step, t.toString());
            }
        }
        Throwable e = t instanceof UncheckedIOException && t.getCause() != null ? t.getCause() : t;
        boolean family = e instanceof MalformedFileException
                || e instanceof IllegalArgumentException
                || e instanceof NoSuchFileException
                || e instanceof AccessDeniedException;
        String message = e instanceof NoSuchFileException n ? n.getFile() : e.getMessage();
        String where = location.contains("*") || location.contains("?") || location.contains("[")
                ? location.substring(0, location.lastIndexOf('/') + 1)
                : location;
        boolean oneLine = message != null && message.indexOf('\n') < 0 && message.indexOf('\r') < 0;
        boolean named = message != null && message.contains(where);
        if (family && oneLine && named) {
            return new Result(Outcome.CLEAR_ERROR, step, e.getClass().getSimpleName() + ": " + message);
        }
        java.io.StringWriter trace = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(trace));
        String top = trace.toString()
                .lines()
                .limit(8)
                .reduce((a, b) -> a + " | " + b)
                .orElse(t.toString());
        return new Result(Outcome.UNEXPECTED, step, (family ? "unclear message: " : "") + top);
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
