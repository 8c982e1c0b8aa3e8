package dev.saekit.onnx.text;

import dev.saekit.files.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A harvest cut into parts that separate processes compute (Spark tasks, say, each in its own JVM
 * and perhaps on another machine, all writing to one shared directory), then assembled into exactly
 * the harvest directory that {@link TokenHarvest#run()} writes with the same settings: the same
 * files, byte for byte.
 *
 * <p>The driver plans ({@link TokenHarvest.Builder#plan(int)}): it reads and tokenizes the whole
 * corpus, with no ONNX Runtime session, and so knows every shard the harvest will have (its
 * documents and its rows: the shards are cut by {@link HarvestWindows}, as a run cuts them). Of a
 * document's tokens the plan needs only how many there are and how many of them are special, so
 * that tokenizing, the slow part, may run elsewhere ({@link TokenHarvest.Builder#plan(int,
 * Counter)}: a cluster's executors {@linkplain #count count} runs of documents in parallel) and give
 * the very same plan. A part
 * is a run of whole, consecutive shards. The plan writes the documents, {@code vocab.txt} and
 * {@code tokenizer.json} under {@code DIR/parts/} (see {@link HarvestParts}), so that a part needs
 * only the shared directory and the model: no corpus reader on the executors. The plan itself is
 * small (numbers per shard) and {@link Serializable}, and so is each {@link HarvestPart}.
 *
 * <p>Each part {@linkplain HarvestPart#run runs} where it is sent and commits its files atomically
 * ({@code parts/.part-00003.<random>.tmp/}, renamed to {@code parts/part-00003/} once whole); a part
 * committed already is skipped, so a rerun of the job computes only what is missing. {@link
 * #assemble} then moves every part's files into place and writes {@code documents.jsonl}, {@code
 * vocab.txt}, {@code tokenizer.json}, {@code manifest.json} and last {@code harvest.json}: only then
 * does the directory look finished. Planning again on the same directory with the same settings and
 * corpus gives the same plan and keeps the committed parts; with anything else it is refused.
 *
 * <pre>{@code
 * HarvestPlan plan = TokenHarvest.builder(model, corpus, dir).taps(List.of("residual:3")).plan(8); // driver
 * for (HarvestPart part : plan.parts()) {       // on executors, in any order, any number of times
 *     part.run(executorModel, dir);
 * }
 * HarvestState state = plan.assemble(dir);      // driver: DIR is now the harvest
 * }</pre>
 *
 * <p>Paths are {@link java.nio.file.Path}s of a file system every process sees the same way (a
 * shared {@code file://} folder). A Hadoop file system (HDFS, S3) would need its own staging: its
 * renames of directories are not atomic everywhere (S3's are copies), so a part would be committed
 * by writing its {@code part.json} last instead of by renaming its folder.
 */
public final class HarvestPlan implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String id;
    private final HarvestSettings settings;
    private final List<HarvestPart> parts;
    private final long documents;
    private final long rows;

    private HarvestPlan(String id, HarvestSettings settings, List<HarvestPart> parts, long documents, long rows) {
        this.id = id;
        this.settings = settings;
        this.parts = List.copyOf(parts);
        this.documents = documents;
        this.rows = rows;
    }

    /** One planned shard: its number, the documents it covers, its rows, and the length of {@code documents.jsonl} after it. */
    record Shard(int index, long firstDocument, long endDocument, long rows, long documentsBytes)
            implements Serializable {}

    /**
     * One document with what a plan needs of its tokens (truncated as the tokenizer truncates): how
     * many there are, and how many of them are special ({@code [CLS]}, {@code [SEP]}).
     */
    public record Counted(TextCorpus.Document document, int tokens, int special) {
        public Counted {
            Objects.requireNonNull(document, "document");
            if (tokens < 0 || special < 0 || special > tokens) {
                throw new IllegalArgumentException(
                        "a document's counts must be 0 <= special <= tokens, were " + special + " and " + tokens);
            }
        }

        /** The rows the document gives, before any token budget. */
        int rows(SpecialTokens specialTokens) {
            return specialTokens == SpecialTokens.KEEP ? tokens : tokens - special;
        }
    }

    /** Documents with their counts, in the corpus's order; {@link #next()} gives null after the last. */
    public interface CountedReader extends Closeable {
        Counted next() throws IOException;
    }

    /**
     * Counts the documents a plan reads: given the corpus's reader and the harvest's tokenizer, gives
     * every document of it, in order, with {@link #count}'s numbers for its text (computed by that
     * tokenizer or by the same {@code tokenizer.json} with the same max length elsewhere). Closing
     * the counted reader ends what it started; the planner closes the corpus's reader.
     */
    @FunctionalInterface
    public interface Counter {
        CountedReader open(TextCorpus.Reader documents, TextTokenizer tokenizer) throws IOException;
    }

    /** Tokenizes each document here, one after another: how a plan counts by default. */
    public static final Counter HERE = (documents, tokenizer) -> new CountedReader() {
        @Override
        public Counted next() throws IOException {
            TextCorpus.Document d = documents.next();
            if (d == null) {
                return null;
            }
            Tokens t = tokenizer.encode(d.text());
            return new Counted(d, t.length(), t.length() - t.ordinaryCount());
        }

        @Override
        public void close() {}
    };

    /**
     * What a plan needs of each of {@code texts} tokenized by {@code tokenizer}: entry {@code 2i} the
     * tokens of text {@code i}, entry {@code 2i + 1} how many of them are special (a {@link Counted}'s
     * numbers). For a cluster's tasks, each counting a run of a corpus's documents.
     */
    public static int[] count(TextTokenizer tokenizer, List<String> texts) {
        int[] out = new int[2 * texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            Tokens t = tokenizer.encode(texts.get(i));
            out[2 * i] = t.length();
            out[2 * i + 1] = t.length() - t.ordinaryCount();
        }
        return out;
    }

    /**
     * Plans a harvest of {@code corpus} with {@code settings} into {@code parts} parts (fewer when it
     * has fewer shards) in {@code dir}: a new or empty directory, one this plan staged already, or the
     * finished harvest it assembled. {@code counter} counts the documents' tokens.
     */
    static HarvestPlan create(
            TextModel model, TextCorpus corpus, HarvestSettings settings, Path dir, int parts, Counter counter)
            throws IOException {
        if (parts < 1) {
            throw new IllegalArgumentException("parts must be >= 1, was " + parts);
        }
        boolean assembled = isAssembledHarvest(dir, settings);
        Path staging = HarvestParts.staging(dir);
        List<Shard> shards = new ArrayList<>();
        List<String> tail = new ArrayList<>();
        MessageDigest documentsDigest = sha256();
        if (!assembled) {
            Files.createDirectories(staging);
        }
        try (AtomicFiles.Pending documentsFile =
                        assembled ? null : AtomicFiles.create(staging.resolve(HarvestDirectory.DOCUMENTS));
                TextCorpus.Reader reader = corpus.open();
                CountedReader counted = counter.open(reader, model.tokenizer())) {
            OutputStream sink =
                    assembled ? OutputStream.nullOutputStream() : Channels.newOutputStream(documentsFile.channel());
            CountingOutput out = new CountingOutput(
                    new DigestOutputStream(new BufferedOutputStream(sink, 1 << 16), documentsDigest));
            HarvestWindows windows = new HarvestWindows(settings, counted);
            HarvestWindows.Window w;
            boolean open = false;
            long first = 0;
            long shardRows = 0;
            while ((w = windows.next()) != null) {
                if (w.startsShard()) {
                    if (open) {
                        shards.add(new Shard(shards.size(), first, w.firstDocument(), shardRows, out.count()));
                    }
                    open = true;
                    first = w.firstDocument();
                    shardRows = 0;
                }
                for (int i = 0; i < w.documents().size(); i++) {
                    String line = HarvestFiles.documentLine(w.documents().get(i));
                    if (i < w.texts()) {
                        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    } else {
                        tail.add(line); // in the last window, after the token budget ran out: run, not harvested
                    }
                }
                shardRows += w.rowCount();
            }
            if (open) {
                shards.add(new Shard(shards.size(), first, windows.nextDocument(), shardRows, out.count()));
            }
            out.flush();
            HarvestPlan plan =
                    split(settings, shards, tail, parts, HexFormat.of().formatHex(documentsDigest.digest()));
            if (!assembled) {
                plan.stage(model.tokenizer(), staging, documentsFile);
            } else {
                plan.checkAssembled(dir);
            }
            return plan;
        }
    }

    /** Cuts the shards into {@code parts} runs of consecutive shards, as even in number as they can be. */
    private static HarvestPlan split(
            HarvestSettings settings, List<Shard> shards, List<String> tail, int parts, String documentsSha256) {
        int n = Math.min(parts, shards.size());
        MessageDigest id = sha256();
        update(id, "saekit harvest plan " + HarvestParts.FORMAT_VERSION);
        update(id, settings.toString());
        update(id, "documents.jsonl " + documentsSha256);
        update(id, "after the budget " + tail);
        for (Shard s : shards) {
            update(id, s.toString());
        }
        List<int[]> ranges = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            int from = (int) ((long) p * shards.size() / n);
            int to = (int) ((long) (p + 1) * shards.size() / n);
            ranges.add(new int[] {from, to});
            update(id, "part " + p + ": shards " + from + ".." + to);
        }
        String planId = HexFormat.of().formatHex(id.digest());
        List<HarvestPart> list = new ArrayList<>();
        long before = 0;
        for (int p = 0; p < n; p++) {
            List<Shard> own = shards.subList(ranges.get(p)[0], ranges.get(p)[1]);
            long documentsFrom =
                    ranges.get(p)[0] == 0 ? 0 : shards.get(ranges.get(p)[0] - 1).documentsBytes();
            list.add(
                    new HarvestPart(planId, settings, p, n, own, before, documentsFrom, p == n - 1 ? tail : List.of()));
            for (Shard s : own) {
                before += s.rows();
            }
        }
        long documents = shards.isEmpty() ? 0 : shards.get(shards.size() - 1).endDocument();
        return new HarvestPlan(planId, settings, list, documents, before);
    }

    /**
     * Writes the staging folder's files, {@code plan.json} last; a staging folder of this same plan
     * keeps its files (and its committed parts), one of another plan is refused.
     */
    private void stage(TextTokenizer tokenizer, Path staging, AtomicFiles.Pending documentsFile) throws IOException {
        Path planFile = staging.resolve(HarvestParts.PLAN_FILE);
        if (Files.exists(planFile)) {
            HarvestParts.PlanFile staged = HarvestParts.read(planFile, HarvestParts.PlanFile.class);
            if (!staged.id().equals(id)) {
                String why = staged.settings()
                        .firstDifference(settings, HarvestParts.PLAN_FILE)
                        .orElse(null);
                if (why == null && staged.parts() != parts.size()) {
                    why = "parts: " + staged.parts() + " in " + HarvestParts.PLAN_FILE + ", " + parts.size()
                            + " planned";
                }
                if (why == null) {
                    why = "the corpus or the tokenizer changed: " + staged.documents() + " documents and "
                            + staged.rows() + " rows in " + HarvestParts.PLAN_FILE + ", " + documents + " and " + rows
                            + " planned";
                }
                throw new IllegalArgumentException("cannot plan the harvest in " + staging.getParent()
                        + ": it holds the parts of another plan (" + why + "); plan it the same way, or delete "
                        + staging + " to start again");
            }
            removeUnfinishedParts(staging); // no part runs while the driver plans
            return; // the same plan: its files are staged already (documentsFile is closed uncommitted)
        }
        documentsFile.commit();
        AtomicFiles.writeString(
                staging.resolve(HarvestDirectory.VOCAB), HarvestFiles.vocabText(tokenizer.vocabulary()));
        AtomicFiles.write(staging.resolve(HarvestDirectory.TOKENIZER), Files.readAllBytes(tokenizer.file()));
        HarvestParts.write(
                planFile,
                new HarvestParts.PlanFile(HarvestParts.FORMAT_VERSION, id, settings, parts.size(), documents, rows));
    }

    /** Deletes the folders of parts that a stopped process left half-written. */
    private static void removeUnfinishedParts(Path staging) throws IOException {
        List<Path> stale;
        try (Stream<Path> entries = Files.list(staging)) {
            stale = entries.filter(p -> {
                        String name = p.getFileName().toString();
                        return name.startsWith(".part-") && name.endsWith(".tmp");
                    })
                    .toList();
        }
        for (Path p : stale) {
            HarvestParts.deleteTree(p);
        }
    }

    /** Whether {@code dir} holds a complete harvest with {@code settings} (and so perhaps this plan, assembled). */
    private static boolean isAssembledHarvest(Path dir, HarvestSettings settings) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + " exists and is not a directory");
        }
        if (Files.isRegularFile(dir.resolve(HarvestState.FILE_NAME))) {
            HarvestState recorded = HarvestState.read(dir);
            String difference = recorded.settings().firstDifference(settings).orElse(null);
            if (!recorded.complete() || difference != null) {
                throw new IllegalArgumentException(dir + " holds a harvest already ("
                        + (difference == null ? "unfinished" : difference) + "): choose a new directory");
            }
            return true;
        }
        if (Files.isDirectory(dir) && !Files.isDirectory(HarvestParts.staging(dir))) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(dir + " is not empty and holds neither a harvest ("
                            + HarvestState.FILE_NAME + ") nor planned parts (" + HarvestParts.STAGING
                            + "/): choose a new or empty directory for the harvest");
                }
            }
        }
        return false;
    }

    /** Checks that the finished harvest in {@code dir} is this plan's. */
    private void checkAssembled(Path dir) throws IOException {
        HarvestState recorded = HarvestState.read(dir);
        List<Shard> planned = shards();
        boolean same = recorded.shards().size() == planned.size();
        for (int i = 0; same && i < planned.size(); i++) {
            HarvestState.Shard r = recorded.shards().get(i);
            Shard p = planned.get(i);
            same = r.index() == p.index()
                    && r.firstDocument() == p.firstDocument()
                    && r.endDocument() == p.endDocument()
                    && r.rows() == p.rows()
                    && r.documentsBytes() == p.documentsBytes();
        }
        if (!same) {
            throw new IllegalArgumentException(dir + " holds a harvest with these settings but other shards ("
                    + recorded.shards().size() + " shards, " + recorded.rows() + " rows; this plan has "
                    + planned.size()
                    + " and " + rows + "): the corpus changed since; choose a new directory");
        }
    }

    private List<Shard> shards() {
        List<Shard> all = new ArrayList<>();
        for (HarvestPart p : parts) {
            all.addAll(p.plannedShards());
        }
        return all;
    }

    /** The staging folder of a harvest planned in parts, relative to its directory: {@code parts}. */
    public static String stagingFolder() {
        return HarvestParts.STAGING;
    }

    /** The staged plan, written last when the driver stages: {@code parts/plan.json}. */
    public static String planFile() {
        return HarvestParts.STAGING + "/" + HarvestParts.PLAN_FILE;
    }

    /** The plan's identity: a SHA-256 of its settings, documents, shards and parts. */
    public String id() {
        return id;
    }

    public HarvestSettings settings() {
        return settings;
    }

    /** The parts, in order; each is a run of consecutive shards. */
    public List<HarvestPart> parts() {
        return parts;
    }

    /** Documents the harvest covers. */
    public long documents() {
        return documents;
    }

    /** Rows of every tap in the harvest. */
    public long rows() {
        return rows;
    }

    /** The parts not committed in {@code dir} yet, in order. */
    public List<HarvestPart> uncommitted(Path dir) throws IOException {
        List<HarvestPart> out = new ArrayList<>();
        for (HarvestPart p : parts) {
            if (!p.isCommitted(dir)) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Makes {@code dir} the finished harvest: checks that every part is committed (else one error
     * naming the parts that are not), moves their files into place, writes {@code documents.jsonl},
     * {@code vocab.txt}, {@code tokenizer.json}, {@code manifest.json} and last {@code harvest.json},
     * then deletes {@code parts/}. Call it when no part runs any more. An assembly that stopped
     * halfway is finished by calling it again; a harvest assembled already is returned as it is.
     */
    public HarvestState assemble(Path dir) throws IOException {
        return assemble(dir, HarvestParts::moveIntoPlace);
    }

    /**
     * Moves one committed file to its place in the harvest: {@code from} to {@code to} in one atomic
     * rename, unless an earlier, interrupted assembly moved it already ({@code from} gone, {@code to}
     * there); neither there is an error naming {@code owner}, the part.
     */
    @FunctionalInterface
    public interface Mover {
        void move(Path from, Path to, String owner) throws IOException;
    }

    /**
     * {@link #assemble(Path)} with the shard, token and staged files moved by {@code mover}: for a
     * harvest whose files live elsewhere (a Hadoop file system) while {@code dir} holds its small
     * files (plan, part records, states) only, {@code mover} renames them there instead.
     */
    public HarvestState assemble(Path dir, Mover mover) throws IOException {
        Path staging = HarvestParts.staging(dir);
        if (Files.isRegularFile(dir.resolve(HarvestState.FILE_NAME))) {
            isAssembledHarvest(dir, settings);
            checkAssembled(dir);
            HarvestState state = HarvestState.read(dir);
            HarvestFiles.assembled(dir, settings).writeAssembled(state); // the manifest, should it be missing
            HarvestParts.deleteTree(staging);
            return state;
        }
        List<HarvestPart> missing = uncommitted(dir);
        if (!missing.isEmpty()) {
            List<String> names = missing.stream().map(HarvestPart::toString).toList();
            throw new IllegalStateException("cannot assemble the harvest in " + dir + ": "
                    + (names.size() == 1 ? names.get(0) + " is" : String.join(", ", names) + " are")
                    + " not committed; run " + (names.size() == 1 ? "it" : "them") + " and assemble again");
        }
        HarvestFiles files = HarvestFiles.assembled(dir, settings);
        Files.createDirectories(dir.resolve(HarvestDirectory.TOKENS));
        for (String d : files.tapDirectories()) {
            Files.createDirectories(dir.resolve(d));
        }
        List<Integer> widths = List.of();
        List<HarvestState.Shard> shards = new ArrayList<>();
        for (HarvestPart p : parts) {
            HarvestParts.PartFile record = p.record(dir);
            if (!widths.isEmpty() && !widths.equals(record.widths())) {
                throw new IllegalStateException(
                        p + " has rows of widths " + record.widths() + " where the parts before" + " it have " + widths
                                + ": its model differs; delete " + p.directory(dir) + " and run it again");
            }
            widths = record.widths();
            shards.addAll(record.shards());
            p.moveIntoPlace(dir, files.tapDirectories(), mover);
        }
        for (String name : List.of(HarvestDirectory.DOCUMENTS, HarvestDirectory.VOCAB, HarvestDirectory.TOKENIZER)) {
            mover.move(staging.resolve(name), dir.resolve(name), HarvestParts.STAGING);
        }
        HarvestState state = new HarvestState(HarvestState.FORMAT_VERSION, settings, true, widths, shards);
        files.writeAssembled(state);
        HarvestParts.deleteTree(staging);
        return state;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static void update(MessageDigest d, String s) {
        d.update((s + "\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "harvest plan " + id.substring(0, 12) + ": " + parts.size() + " parts, " + shards().size() + " shards, "
                + rows + " rows of " + documents + " documents";
    }

    /** An output stream that counts the bytes written through it. */
    private static final class CountingOutput extends java.io.FilterOutputStream {
        private long count;

        CountingOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        long count() {
            return count;
        }
    }
}
