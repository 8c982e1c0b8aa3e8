package dev.saekit.onnx;

import dev.saekit.io.ActivationManifest;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Runs a tapped model on batches of inputs and writes each tap's activations as {@code .npy}
 * shards: a tap's output is flattened to rows of its last dimension ({@code [N, T, C]} gives
 * {@code N*T} rows of {@code C}) and written in input order, at most {@code rowsPerShard} rows per
 * file, to {@code <out>/<tap name, sanitised>/shard-00000.npy}, ... with {@code <out>/manifest.json}
 * ({@link ActivationManifest}). Each shard is written atomically, and the manifest after it.
 *
 * <pre>{@code
 * try (OnnxTaps taps = OnnxTaps.open(model, List.of("p2o.Add.241"));
 *      ActivationExtractor ex = ActivationExtractor.builder(taps, out).rowsPerShard(65_536).build()) {
 *     for (FloatTensor batch : batches) {
 *         ex.extract(Map.of("x", batch));
 *     }
 *     ex.finish();
 * }
 * }</pre>
 */
public final class ActivationExtractor implements AutoCloseable {
    private final OnnxTaps taps;
    private final Path out;
    private final int rowsPerShard;
    private final String input;
    private final Map<String, TapShards> shards = new LinkedHashMap<>();
    private final Map<String, String> directories = new LinkedHashMap<>();
    private final Map<String, Object> notes = new TreeMap<>();
    private ProgressBar bar;
    private final long started = System.nanoTime();
    private long items;
    private ActivationManifest written;

    private ActivationExtractor(Builder b) throws IOException {
        this.taps = b.taps;
        this.out = b.out;
        this.rowsPerShard = b.rowsPerShard;
        this.input = b.input;
        Map<String, String> seen = new HashMap<>();
        for (String tap : taps.taps()) {
            String dir = directoryName(tap);
            String clash = seen.put(dir.toLowerCase(Locale.ROOT), tap);
            if (clash != null) {
                throw new IllegalArgumentException(
                        "taps '" + clash + "' and '" + tap + "' would share the directory " + dir);
            }
            directories.put(tap, dir);
        }
        prepare(out);
        for (String tap : taps.taps()) {
            Path dir = Files.createDirectories(out.resolve(directories.get(tap)));
            shards.put(tap, new TapShards(tap, dir, rowsPerShard));
        }
        // start ND4J (which writes the shards) now: its start-up lines would break the progress bar
        Tensors.zeros(DType.FLOAT32, 1);
        this.bar = b.progress == null
                ? null
                : new ProgressBarBuilder()
                        .setTaskName("extract")
                        .setInitialMax(b.expectedItems)
                        .setUnit(" " + b.unit, 1)
                        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                        .setUpdateIntervalMillis(200)
                        .setConsumer(new ConsoleProgressBarConsumer(b.progress))
                        .build();
        writeManifest(false);
    }

    /** An extractor of {@code taps} into the directory {@code out}, which must be empty or not exist yet. */
    public static Builder builder(OnnxTaps taps, Path out) {
        return new Builder(taps, out);
    }

    /** Optional settings; {@link #build()} creates the directory. */
    public static final class Builder {
        private final OnnxTaps taps;
        private final Path out;
        private int rowsPerShard = 65_536;
        private String input = "";
        private PrintStream progress;
        private long expectedItems = -1;
        private String unit = "inputs";

        private Builder(OnnxTaps taps, Path out) {
            this.taps = Objects.requireNonNull(taps, "taps");
            this.out = Objects.requireNonNull(out, "out");
        }

        /** The most rows one shard file holds (default 65,536). */
        public Builder rowsPerShard(int rows) {
            if (rows <= 0) {
                throw new IllegalArgumentException("rowsPerShard must be > 0, was " + rows);
            }
            this.rowsPerShard = rows;
            return this;
        }

        /** What the inputs are, in words, for the manifest. */
        public Builder input(String description) {
            this.input = Objects.requireNonNull(description, "description");
            return this;
        }

        /**
         * Shows a progress bar on {@code out}, counting inputs (the first dimension of each batch) up
         * to {@code expectedItems} (-1 when unknown), named {@code unit} ("lines").
         */
        public Builder progress(PrintStream out, long expectedItems, String unit) {
            this.progress = Objects.requireNonNull(out, "out");
            this.expectedItems = expectedItems;
            this.unit = unit;
            return this;
        }

        public ActivationExtractor build() throws IOException {
            return new ActivationExtractor(this);
        }
    }

    /**
     * Runs the model on one batch ({@code inputs} by input name), appends every tap's rows, writes
     * the shards that fill up, and returns all of the run's outputs (taps and the model's own
     * outputs) for the caller to use, e.g. to label the rows.
     */
    public Map<String, FloatTensor> extract(Map<String, FloatTensor> inputs) throws IOException {
        if (written != null && written.complete()) {
            throw new IllegalStateException("extract after finish(): make a new extractor for more data");
        }
        Map<String, FloatTensor> outputs = taps.run(inputs);
        boolean wrote = false;
        for (Map.Entry<String, TapShards> e : shards.entrySet()) {
            wrote |= e.getValue().append(outputs.get(e.getKey()));
        }
        long batch = inputs.values().stream()
                .findFirst()
                .filter(t -> t.rank() > 0)
                .map(t -> t.dim(0))
                .orElse(1L);
        items += batch;
        if (wrote) {
            writeManifest(false);
        }
        if (bar != null) {
            bar.stepBy(batch);
            bar.setExtraMessage(String.format(
                    Locale.ROOT, " %,d rows", shards.values().iterator().next().rows()));
        }
        return outputs;
    }

    /** Adds {@code key: value} (anything Jackson writes) to the manifest's {@code notes}. */
    public void note(String key, Object value) {
        notes.put(key, value);
    }

    /** Writes the last, partial shards and the final manifest; returns the manifest. */
    public ActivationManifest finish() throws IOException {
        if (!written.complete()) {
            for (TapShards s : shards.values()) {
                s.flush();
            }
            closeBar();
            writeManifest(true);
        }
        return written;
    }

    /** Closes the progress bar. Without {@link #finish()} the rows not yet in a shard are dropped and the manifest stays incomplete. */
    @Override
    public void close() {
        closeBar();
    }

    /** The directory a tap's shards go to: its name with every character but letters, digits, '.', '_' and '-' replaced by '_'. */
    public static String directoryName(String tap) {
        String s = tap.replaceAll("[^A-Za-z0-9._-]", "_");
        if (s.isEmpty() || s.startsWith(".")) {
            s = "_" + s; // never hidden, never "." or ".."
        }
        return s;
    }

    private ActivationManifest manifest(boolean complete) {
        List<ActivationManifest.Tap> list = new ArrayList<>();
        shards.forEach((tap, s) -> list.add(s.manifest(directories.get(tap))));
        double seconds = (System.nanoTime() - started) / 1e9;
        return new ActivationManifest(
                ActivationManifest.FORMAT_VERSION,
                complete,
                taps.file().getFileName().toString(),
                taps.sha256(),
                input,
                items,
                rowsPerShard,
                seconds,
                list,
                notes);
    }

    private void writeManifest(boolean complete) throws IOException {
        ActivationManifest m = manifest(complete);
        m.write(out);
        written = m;
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    private static void prepare(Path out) throws IOException {
        if (Files.exists(out)) {
            if (!Files.isDirectory(out)) {
                throw new IOException(out + " exists and is not a directory");
            }
            try (Stream<Path> entries = Files.list(out)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(
                            out + " is not empty: choose a new directory, or remove it, so that no old shard"
                                    + " is mistaken for a new one");
                }
            }
        }
        Files.createDirectories(out);
    }
}
