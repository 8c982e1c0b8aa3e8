package dev.saekit.spark;

import dev.saekit.onnx.text.HarvestPlan;
import dev.saekit.onnx.text.TextCorpus;
import dev.saekit.onnx.text.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * A harvest plan's token counts computed by Spark tasks: the driver reads the corpus in chunks of
 * at most {@link #CHUNK_DOCUMENTS} documents (and about {@link #CHUNK_CHARS} characters; the first
 * jobs' chunks are smaller, from {@link #FIRST_CHUNK_DOCUMENTS} on, doubling, so that a small
 * corpus or token budget reads little ahead), a job of {@code chunksPerJob} chunks at a time, and each task tokenizes one chunk with the harvest's own
 * {@code tokenizer.json} (sent to the executors once, as a broadcast) and returns its counts ({@link
 * HarvestPlan#count}). The plan takes the documents in the corpus's order, so it is the plan the
 * driver makes alone. While the plan takes one job's documents, the next {@link #JOBS_AHEAD} jobs
 * are read and running: the driver holds at most that many jobs' documents.
 */
final class ClusterCounts implements HarvestPlan.Counter {
    static final int CHUNK_DOCUMENTS = 2_000;
    static final int FIRST_CHUNK_DOCUMENTS = 64;
    static final int CHUNK_CHARS = 1 << 20;
    static final int JOBS_AHEAD = 2;

    private final JavaSparkContext sc;
    private final int chunksPerJob;
    private long documents;

    ClusterCounts(JavaSparkContext sc, int chunksPerJob) {
        this.sc = sc;
        this.chunksPerJob = Math.max(1, chunksPerJob);
    }

    @Override
    public HarvestPlan.CountedReader open(TextCorpus.Reader corpus, TextTokenizer tokenizer) throws IOException {
        byte[] json = Files.readAllBytes(tokenizer.file());
        Broadcast<byte[]> shipped = sc.broadcast(json);
        CountChunk count = new CountChunk(shipped, sha256(json), tokenizer.maxLength());
        return new HarvestPlan.CountedReader() {
            private final Deque<Job> jobs = new ArrayDeque<>();
            private boolean read; // the corpus is read to its end
            private List<TextCorpus.Document> current = List.of();
            private int[] counts;
            private int next;
            private int chunkDocuments = FIRST_CHUNK_DOCUMENTS;

            @Override
            public HarvestPlan.Counted next() throws IOException {
                while (next == current.size()) {
                    while (!read && jobs.size() <= JOBS_AHEAD) {
                        submit();
                    }
                    if (jobs.isEmpty()) {
                        return null;
                    }
                    Job job = jobs.removeFirst();
                    List<int[]> results;
                    try {
                        results = job.future.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while the cluster counted the documents' tokens", e);
                    } catch (ExecutionException e) {
                        throw new IOException(
                                "counting the documents' tokens on the cluster failed: " + SparkFailures.cause(e), e);
                    }
                    int total = 0;
                    for (int[] r : results) {
                        total += r.length;
                    }
                    counts = new int[total];
                    int at = 0;
                    for (int[] r : results) {
                        System.arraycopy(r, 0, counts, at, r.length);
                        at += r.length;
                    }
                    if (counts.length != 2 * job.documents.size()) {
                        throw new IllegalStateException("the cluster counted " + counts.length / 2 + " of "
                                + job.documents.size() + " documents");
                    }
                    current = job.documents;
                    next = 0;
                }
                int i = next++;
                return new HarvestPlan.Counted(current.get(i), counts[2 * i], counts[2 * i + 1]);
            }

            /** Reads the next job's chunks and starts it. */
            private void submit() throws IOException {
                List<TextCorpus.Document> docs = new ArrayList<>();
                List<List<String>> chunks = new ArrayList<>();
                while (chunks.size() < chunksPerJob && !read) {
                    ArrayList<String> chunk = new ArrayList<>();
                    long chars = 0;
                    TextCorpus.Document d = null;
                    while (chunk.size() < chunkDocuments && chars < CHUNK_CHARS && (d = corpus.next()) != null) {
                        docs.add(d);
                        chunk.add(d.text());
                        chars += d.text().length();
                    }
                    if (d == null && chunk.size() < chunkDocuments && chars < CHUNK_CHARS) {
                        read = true;
                    }
                    if (!chunk.isEmpty()) {
                        chunks.add(chunk);
                    }
                }
                chunkDocuments = Math.min(CHUNK_DOCUMENTS, 2 * chunkDocuments);
                if (chunks.isEmpty()) {
                    return;
                }
                sc.setJobDescription("saekit harvest plan: counting the tokens of documents " + documents + ".."
                        + (documents + docs.size()));
                jobs.addLast(new Job(
                        docs, sc.parallelize(chunks, chunks.size()).map(count).collectAsync()));
                documents += docs.size();
            }

            @Override
            public void close() {
                for (Job j : jobs) {
                    j.future.cancel(true);
                }
                jobs.clear();
                shipped.destroy();
            }
        };
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private record Job(List<TextCorpus.Document> documents, JavaFutureAction<List<int[]>> future) {}

    /** One chunk's counts on an executor, by its tokenizer opened once per task thread. */
    record CountChunk(Broadcast<byte[]> tokenizer, String sha256, int maxLength)
            implements Function<List<String>, int[]> {
        private static final Map<String, Path> FILES = new ConcurrentHashMap<>();
        private static final ThreadLocal<Map<String, TextTokenizer>> OPEN = ThreadLocal.withInitial(HashMap::new);

        @Override
        public int[] call(List<String> texts) throws IOException {
            String key = sha256 + " " + maxLength;
            TextTokenizer t = OPEN.get().get(key);
            if (t == null) {
                t = TextTokenizer.open(file(), maxLength);
                OPEN.get().put(key, t);
            }
            return HarvestPlan.count(t, texts);
        }

        /** The tokenizer's file on this executor, written once. */
        private Path file() throws IOException {
            Path f = FILES.get(sha256);
            if (f == null) {
                synchronized (FILES) {
                    f = FILES.get(sha256);
                    if (f == null) {
                        Path dir = Files.createTempDirectory("saekit-tokenizer-");
                        dir.toFile().deleteOnExit(); // deleted after the file, registered before it
                        f = dir.resolve("tokenizer.json");
                        f.toFile().deleteOnExit();
                        Files.write(f, tokenizer.value());
                        FILES.put(sha256, f);
                    }
                }
            }
            return f;
        }
    }
}
