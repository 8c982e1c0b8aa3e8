package dev.saekit.onnx.text;

import dev.saekit.io.MalformedFileException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One part of a {@link HarvestPlan}: a run of consecutive shards, computed by {@link #run} wherever
 * it is sent (it is {@link Serializable} and small) and committed atomically into the harvest
 * directory's {@code parts/} folder. Its shards are byte for byte those a single {@link
 * TokenHarvest} writes: the part reads its documents from {@code parts/documents.jsonl} (and the rest
 * of the last window, should the token budget end inside it), cuts them into the same windows and
 * computes each shard with the same code ({@link HarvestPass}), then checks every shard's documents
 * and rows against the plan.
 */
public final class HarvestPart implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String planId;
    private final HarvestSettings settings;
    private final int number;
    private final int count;
    private final List<HarvestPlan.Shard> shards;
    private final long firstRow;
    private final long documentsFrom;
    private final List<String> tail;

    HarvestPart(
            String planId,
            HarvestSettings settings,
            int number,
            int count,
            List<HarvestPlan.Shard> shards,
            long firstRow,
            long documentsFrom,
            List<String> tail) {
        this.planId = planId;
        this.settings = settings;
        this.number = number;
        this.count = count;
        this.shards = List.copyOf(shards);
        this.firstRow = firstRow;
        this.documentsFrom = documentsFrom;
        this.tail = List.copyOf(tail);
    }

    /** What {@link #run} did: whether it computed the part or found it committed already, its rows, its seconds. */
    public record Result(int part, boolean computed, long rows, double seconds) {}

    /** The part's number, from 0. */
    public int number() {
        return number;
    }

    /** The number of the part's first shard. */
    public int firstShard() {
        return shards.get(0).index();
    }

    /** The number after the part's last shard. */
    public int endShard() {
        return shards.get(shards.size() - 1).index() + 1;
    }

    /** The part's first document (an index into {@code documents.jsonl}). */
    public long firstDocument() {
        return shards.get(0).firstDocument();
    }

    /** The document after the part's last one. */
    public long endDocument() {
        return shards.get(shards.size() - 1).endDocument();
    }

    /** The rows of every tap before the part's first. */
    long firstRow() {
        return firstRow;
    }

    /** Rows of every tap in the part. */
    public long rows() {
        return shards.stream().mapToLong(HarvestPlan.Shard::rows).sum();
    }

    /** The {@code documents.jsonl} lines of the documents that the last window runs after the token budget ran out. */
    List<String> afterBudget() {
        return tail;
    }

    List<HarvestPlan.Shard> plannedShards() {
        return shards;
    }

    /**
     * Bytes {@code [from, to)} of the staged {@code parts/documents.jsonl} that {@link #run} reads: a
     * process that fetches the staged files from elsewhere needs this range only.
     */
    public long[] stagedDocumentsRange() {
        return new long[] {
            documentsFrom,
            shards.isEmpty() ? documentsFrom : shards.get(shards.size() - 1).documentsBytes()
        };
    }

    /** The committed part's folder relative to the harvest directory, {@code parts/part-00003}. */
    public String folder() {
        return HarvestParts.STAGING + "/" + HarvestParts.partName(number);
    }

    /** The file written last into a committed part's {@link #folder()}: {@code part.json}. */
    public static String recordName() {
        return HarvestParts.PART_FILE;
    }

    /** The committed part's folder, {@code DIR/parts/part-00003}. */
    Path directory(Path dir) {
        return HarvestParts.staging(dir).resolve(HarvestParts.partName(number));
    }

    /**
     * Whether this part is committed in the harvest directory {@code dir} (its folder whole, with the
     * plan's id), or the harvest was assembled already: a rerun skips it.
     */
    public boolean isCommitted(Path dir) throws IOException {
        Path file = directory(dir).resolve(HarvestParts.PART_FILE);
        if (Files.isRegularFile(file)) {
            HarvestParts.PartFile record = HarvestParts.read(file, HarvestParts.PartFile.class);
            if (!record.planId().equals(planId) || record.part() != number) {
                throw new IllegalStateException(file + " is part " + record.part() + " of plan " + record.planId()
                        + ", not " + this + " of plan " + planId + ": plan the harvest again");
            }
            return true;
        }
        if (Files.isRegularFile(dir.resolve(HarvestState.FILE_NAME))) {
            HarvestState recorded = HarvestState.read(dir);
            return recorded.complete()
                    && recorded.settings().equals(settings)
                    && recorded.shards().size() >= endShard();
        }
        return false;
    }

    /** {@link #run(TextModel, Path, int)} on one ONNX Runtime thread per core. */
    public Result run(TextModel model, Path dir) throws IOException {
        return run(model, dir, 0);
    }

    /**
     * Computes this part's shards with {@code model} (the plan's: same {@code .onnx}, tokenizer and
     * max length) on {@code threads} ONNX Runtime threads (0: one per core) and commits them into
     * {@code dir}: written under {@code parts/.part-00003.<random>.tmp/}, then renamed to {@code
     * parts/part-00003/}. A part committed already is not computed again; two processes running the
     * same part both succeed, one of them committing it. A failure leaves nothing behind but, if the
     * process is killed, a temporary folder that the next plan or assembly deletes.
     */
    public Result run(TextModel model, Path dir, int threads) throws IOException {
        long start = System.nanoTime();
        if (isCommitted(dir)) {
            return new Result(number, false, rows(), (System.nanoTime() - start) / 1e9);
        }
        checkModel(model);
        Path staging = HarvestParts.staging(dir);
        HarvestParts.PlanFile staged =
                HarvestParts.read(staging.resolve(HarvestParts.PLAN_FILE), HarvestParts.PlanFile.class);
        if (!staged.id().equals(planId)) {
            throw new IllegalStateException("cannot run " + this + " of plan " + planId + " in " + dir
                    + ": the harvest there was planned again since (plan " + staged.id() + "); run that plan's parts");
        }
        Path tmp = staging.resolve("." + HarvestParts.partName(number) + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        List<String> tapDirectories = HarvestFiles.tapDirectories(settings.taps());
        try {
            Files.createDirectories(tmp.resolve(HarvestDirectory.TOKENS));
            for (String d : tapDirectories) {
                Files.createDirectories(tmp.resolve(d));
            }
            Path documents = Files.createFile(tmp.resolve(HarvestDirectory.DOCUMENTS));
            Output output = new Output(tmp, tapDirectories, documents);
            HarvestPass.Result pass;
            try (TextTaps taps = model.taps(settings.taps(), threads);
                    TextCorpus.Reader reader = documents(staging.resolve(HarvestDirectory.DOCUMENTS))) {
                HarvestWindows windows =
                        new HarvestWindows(settings, model.tokenizer(), reader, firstRow, firstDocument());
                pass = new HarvestPass(
                                model,
                                settings,
                                output,
                                HarvestListener.NONE,
                                taps,
                                windows,
                                null,
                                firstShard(),
                                List.of())
                        .run();
            }
            List<HarvestState.Shard> computed = check(pass.shards());
            checkDocuments(documents, staging.resolve(HarvestDirectory.DOCUMENTS));
            Files.delete(documents);
            HarvestParts.write(
                    tmp.resolve(HarvestParts.PART_FILE),
                    new HarvestParts.PartFile(HarvestParts.FORMAT_VERSION, planId, number, pass.widths(), computed));
            try {
                Files.move(tmp, directory(dir), StandardCopyOption.ATOMIC_MOVE);
            } catch (FileSystemException e) {
                if (!isCommitted(dir)) { // another run of this part committing it first is fine
                    throw e;
                }
            }
            return new Result(number, true, rows(), (System.nanoTime() - start) / 1e9);
        } finally {
            HarvestParts.deleteTree(tmp); // gone once renamed; else a failed or a second run's
        }
    }

    /** The model must be the plan's, byte for byte, truncating where the plan does. */
    private void checkModel(TextModel model) throws IOException {
        String tokenizerSha = ModelCache.sha256(model.tokenizer().file());
        List<String> tensors = new ArrayList<>();
        for (String tap : settings.taps()) {
            tensors.add(model.tensor(tap));
        }
        String why = !model.sha256().equals(settings.modelSha256())
                ? "its .onnx file has the SHA-256 " + model.sha256() + ", the plan's " + settings.modelSha256()
                : !tokenizerSha.equals(settings.tokenizerSha256())
                        ? "its tokenizer.json has the SHA-256 " + tokenizerSha + ", the plan's "
                                + settings.tokenizerSha256()
                        : model.tokenizer().maxLength() != settings.maxLength()
                                ? "it truncates at " + model.tokenizer().maxLength() + " tokens, the plan at "
                                        + settings.maxLength()
                                : !tensors.equals(settings.tensors())
                                        ? "its taps are the tensors " + tensors + ", the plan's " + settings.tensors()
                                        : null;
        if (why != null) {
            throw new IllegalArgumentException("cannot run " + this + " with the model " + model.name() + ": " + why
                    + "; open the model the plan was made with");
        }
    }

    /** The part's documents from the staged {@code documents.jsonl}, then those after the budget. */
    TextCorpus.Reader documents(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        ch.position(documentsFrom);
        InputStream in = Channels.newInputStream(ch);
        BufferedReader lines = new BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        long own = endDocument() - firstDocument();
        return new TextCorpus.Reader() {
            private long read;
            private int tailRead;

            @Override
            public TextCorpus.Document next() throws IOException {
                if (read < own) {
                    String line = lines.readLine();
                    if (line == null) {
                        throw new MalformedFileException(
                                file.toString(),
                                "ends after " + read + " of the " + own + " documents of " + HarvestPart.this
                                        + ": the staged documents are damaged; plan the harvest again");
                    }
                    read++;
                    return HarvestFiles.parseDocument(line, file, firstDocument() + read);
                }
                if (tailRead < tail.size()) {
                    return HarvestFiles.parseDocument(tail.get(tailRead++), file, endDocument() + tailRead);
                }
                return null;
            }

            @Override
            public void close() throws IOException {
                lines.close();
            }
        };
    }

    /** The computed shards, their {@code documents.jsonl} lengths made the harvest's; each must be the planned one. */
    private List<HarvestState.Shard> check(List<HarvestState.Shard> computed) {
        List<HarvestState.Shard> out = new ArrayList<>();
        for (int i = 0; i < Math.max(computed.size(), shards.size()); i++) {
            HarvestPlan.Shard planned = i < shards.size() ? shards.get(i) : null;
            HarvestState.Shard c = i < computed.size() ? computed.get(i) : null;
            HarvestState.Shard made = c == null
                    ? null
                    : new HarvestState.Shard(
                            c.index(),
                            c.firstDocument(),
                            c.endDocument(),
                            c.rows(),
                            c.documentsBytes() + documentsFrom,
                            c.nonFinite());
            if (planned == null
                    || made == null
                    || !planned.equals(new HarvestPlan.Shard(
                            made.index(),
                            made.firstDocument(),
                            made.endDocument(),
                            made.rows(),
                            made.documentsBytes()))) {
                throw new IllegalStateException(this + " computed " + (made == null ? "no shard" : made.toString())
                        + " where the plan has " + (planned == null ? "no shard" : planned.toString())
                        + ": this process tokenizes differently from the one that planned the harvest");
            }
            out.add(made);
        }
        return out;
    }

    /** The part's {@code documents.jsonl} lines, as computed, must be the staged ones byte for byte. */
    private void checkDocuments(Path computed, Path staged) throws IOException {
        long length = Files.size(computed);
        byte[] a = new byte[1 << 16];
        byte[] b = new byte[1 << 16];
        try (FileChannel x = FileChannel.open(computed, StandardOpenOption.READ);
                FileChannel y = FileChannel.open(staged, StandardOpenOption.READ)) {
            InputStream ix = Channels.newInputStream(x);
            InputStream iy = Channels.newInputStream(y.position(documentsFrom));
            for (long at = 0; at < length; ) {
                int n = (int) Math.min(a.length, length - at);
                if (ix.readNBytes(a, 0, n) != n || iy.readNBytes(b, 0, n) != n || !Arrays.equals(a, 0, n, b, 0, n)) {
                    throw new IllegalStateException(this + " wrote documents.jsonl lines that differ from the staged"
                            + " ones within bytes " + at + ".." + (at + n) + " of its lines: a document does not"
                            + " survive JSON unchanged");
                }
                at += n;
            }
        }
    }

    /** Moves the committed part's shard files to their places in {@code dir}. */
    void moveIntoPlace(Path dir, List<String> tapDirectories, HarvestPlan.Mover mover) throws IOException {
        Path from = directory(dir);
        for (HarvestPlan.Shard s : shards) {
            for (String d : tapDirectories) {
                String name = ShardWriter.shardFile(s.index());
                mover.move(from.resolve(d).resolve(name), dir.resolve(d).resolve(name), toString());
            }
            for (String kind :
                    List.of(HarvestDirectory.DOC_IDS, HarvestDirectory.POSITIONS, HarvestDirectory.TOKEN_IDS)) {
                String name = ShardWriter.tokenFile(kind, s.index());
                Path tokens = Path.of(HarvestDirectory.TOKENS);
                mover.move(
                        from.resolve(tokens).resolve(name), dir.resolve(tokens).resolve(name), toString());
            }
        }
    }

    /** The committed part's {@code part.json}. */
    HarvestParts.PartFile record(Path dir) throws IOException {
        return HarvestParts.read(directory(dir).resolve(HarvestParts.PART_FILE), HarvestParts.PartFile.class);
    }

    /** {@code part 2 of 3 (shards 4..7)}. */
    @Override
    public String toString() {
        return "part " + number + " of " + count + " (shards " + firstShard() + ".." + (endShard() - 1) + ")";
    }

    /** A part's shards go to its temporary folder; its records come back in the pass's result. */
    private record Output(Path directory, List<String> tapDirectories, Path documentsFile)
            implements HarvestPass.Output {
        Output {
            Objects.requireNonNull(directory, "directory");
        }

        @Override
        public void shardFinished(HarvestState.Shard shard, List<Integer> widths) {}
    }
}
