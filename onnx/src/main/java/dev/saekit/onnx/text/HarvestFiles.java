package dev.saekit.onnx.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.ActivationManifest;
import dev.saekit.io.MalformedFileException;
import dev.saekit.onnx.ActivationExtractor;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The files of one harvest directory as a {@link TokenHarvest} writes them: starting, resuming, recording. */
final class HarvestFiles implements HarvestPass.Output {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NUMBERED = Pattern.compile("(shard|doc_ids|positions|token_ids)-(\\d{5})\\.npy");

    private final Path dir;
    private final HarvestSettings settings;
    private final List<String> tapDirectories;
    private final HarvestState recorded; // null for a new harvest
    private HarvestState current; // the state last written

    private HarvestFiles(Path dir, HarvestSettings settings, List<String> tapDirectories, HarvestState recorded) {
        this.dir = dir;
        this.settings = settings;
        this.tapDirectories = tapDirectories;
        this.recorded = recorded;
    }

    /**
     * The files of a harvest with {@code settings} in {@code dir}: a new or empty directory, or (with
     * {@code resume}) one that holds a harvest with the same settings.
     */
    static HarvestFiles inspect(Path dir, HarvestSettings settings, boolean resume) throws IOException {
        List<String> tapDirectories = tapDirectories(settings.taps());
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + " exists and is not a directory");
        }
        HarvestState recorded = null;
        if (Files.isRegularFile(dir.resolve(HarvestState.FILE_NAME))) {
            if (!resume) {
                throw new IllegalArgumentException(dir + " holds a harvest already (" + HarvestState.FILE_NAME
                        + "): resume it (--resume) or choose a new directory");
            }
            recorded = HarvestState.read(dir);
            String difference = recorded.settings().firstDifference(settings).orElse(null);
            if (difference != null) {
                throw new IllegalArgumentException("cannot resume the harvest in " + dir + " with other settings ("
                        + difference + "): give the same settings, or choose a new directory");
            }
        } else if (Files.isDirectory(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException(dir + " is not empty and holds no " + HarvestState.FILE_NAME
                            + ": choose a new or empty directory for the harvest");
                }
            }
        }
        return new HarvestFiles(dir, settings, tapDirectories, recorded);
    }

    /**
     * The files of a harvest with {@code settings} in {@code dir} whose shards are put in place by
     * someone else ({@link HarvestPlan#assemble}): only {@link #write} is used.
     */
    static HarvestFiles assembled(Path dir, HarvestSettings settings) {
        return new HarvestFiles(dir, settings, tapDirectories(settings.taps()), null);
    }

    static List<String> tapDirectories(List<String> taps) {
        Map<String, String> seen = new HashMap<>();
        seen.put(HarvestDirectory.TOKENS, "the token table");
        List<String> dirs = new ArrayList<>();
        for (String tap : taps) {
            String d = ActivationExtractor.directoryName(tap);
            String clash = seen.put(d.toLowerCase(Locale.ROOT), "tap '" + tap + "'");
            if (clash != null) {
                throw new IllegalArgumentException(
                        clash + " and tap '" + tap + "' would share the directory " + d + ": give each tap once");
            }
            dirs.add(d);
        }
        return dirs;
    }

    @Override
    public Path directory() {
        return dir;
    }

    @Override
    public List<String> tapDirectories() {
        return tapDirectories;
    }

    @Override
    public Path documentsFile() {
        return dir.resolve(HarvestDirectory.DOCUMENTS);
    }

    /** Adds the shard to the state and writes it: only now is the shard finished. */
    @Override
    public void shardFinished(HarvestState.Shard shard, List<Integer> widths) throws IOException {
        List<HarvestState.Shard> shards = new ArrayList<>(current.shards());
        shards.add(shard);
        current = new HarvestState(HarvestState.FORMAT_VERSION, settings, false, widths, shards);
        write(current, shard.endDocument(), false);
    }

    /** Marks the harvest complete, with the taps' widths {@code widths} (empty if no row was ever computed). */
    HarvestState complete(List<Integer> widths) throws IOException {
        current = new HarvestState(HarvestState.FORMAT_VERSION, settings, true, widths, current.shards());
        write(current, current.documents(), true);
        return current;
    }

    /**
     * Makes the directory ready and returns the state to go on from: for a new harvest the fixed
     * files and an empty state; for a resumed one the recorded state, with what an interrupted run
     * left beyond it (temporary files, unfinished shards, documents) removed.
     */
    HarvestState prepare(TextTokenizer tokenizer) throws IOException {
        Files.createDirectories(dir.resolve(HarvestDirectory.TOKENS));
        for (String d : tapDirectories) {
            Files.createDirectories(dir.resolve(d));
        }
        if (recorded == null) {
            AtomicFiles.writeString(dir.resolve(HarvestDirectory.VOCAB), vocabText(tokenizer.vocabulary()));
            AtomicFiles.write(dir.resolve(HarvestDirectory.TOKENIZER), Files.readAllBytes(tokenizer.file()));
            AtomicFiles.write(documentsFile(), new byte[0]);
            HarvestState fresh = new HarvestState(HarvestState.FORMAT_VERSION, settings, false, List.of(), List.of());
            write(fresh, 0, false);
            current = fresh;
            return fresh;
        }
        int finished = recorded.shards().size();
        removeUnfinished(dir.resolve(HarvestDirectory.TOKENS), finished);
        for (String d : tapDirectories) {
            removeUnfinished(dir.resolve(d), finished);
        }
        removeUnfinished(dir, finished);
        try (FileChannel ch = FileChannel.open(documentsFile(), StandardOpenOption.WRITE)) {
            if (ch.size() < recorded.documentsBytes()) {
                throw new MalformedFileException(
                        documentsFile().toString(),
                        ch.size() + " bytes, but " + HarvestState.FILE_NAME + " says its finished shards wrote "
                                + recorded.documentsBytes() + ": the harvest is damaged; start it again");
            }
            ch.truncate(recorded.documentsBytes());
            ch.force(true);
        }
        current = recorded;
        return recorded;
    }

    /** Deletes the temporary files of {@code d} and its numbered files from shard {@code finished} on. */
    private static void removeUnfinished(Path d, int finished) throws IOException {
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> entries = Files.list(d)) {
            entries.forEach(p -> {
                String name = p.getFileName().toString();
                Matcher m = NUMBERED.matcher(name);
                if ((name.startsWith(".") && name.endsWith(".tmp"))
                        || (m.matches() && Integer.parseInt(m.group(2)) >= finished)) {
                    stale.add(p);
                }
            });
        }
        for (Path p : stale) {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Reads the first {@code count} documents of the corpus, which the finished shards cover, and
     * checks that they are those in {@code documents.jsonl}: a resumed harvest must go on with the
     * corpus it began with.
     */
    void skipHarvested(TextCorpus.Reader reader, long count) throws IOException {
        if (count == 0) {
            return;
        }
        try (BufferedReader in = Files.newBufferedReader(documentsFile(), StandardCharsets.UTF_8)) {
            for (long i = 0; i < count; i++) {
                TextCorpus.Document d = reader.next();
                String line = in.readLine();
                if (line == null) {
                    throw new MalformedFileException(
                            documentsFile().toString(),
                            "has " + i + " documents, but the finished shards cover " + count);
                }
                TextCorpus.Document harvested = parseDocument(line, documentsFile(), i + 1);
                if (d == null || !d.equals(harvested)) {
                    throw new IllegalStateException("cannot resume the harvest in " + dir + ": the corpus ("
                            + settings.corpus() + ") changed since it began: document " + i + " is "
                            + (d == null ? "missing (the corpus ends)" : "'" + d.id() + "'")
                            + " where the harvest has '"
                            + harvested.id() + "'"
                            + (d != null && d.id().equals(harvested.id()) ? " with another text" : "")
                            + "; start a new harvest");
                }
            }
        }
    }

    /**
     * Writes {@code manifest.json}, then {@code harvest.json}, of a harvest whose shards are all in
     * place: {@code harvest.json}, written last, is what says it is finished.
     */
    void writeAssembled(HarvestState state) throws IOException {
        manifest(state, state.documents(), state.complete()).write(dir);
        state.write(dir);
    }

    /** Writes {@code harvest.json}, then {@code manifest.json}. */
    void write(HarvestState state, long documents, boolean complete) throws IOException {
        state.write(dir);
        manifest(state, documents, complete).write(dir);
    }

    /**
     * The manifest for the readers of extracted activations. Its {@code seconds} is 0: timings
     * would make two identical harvests differ; the command line prints them instead.
     */
    private ActivationManifest manifest(HarvestState state, long documents, boolean complete) {
        List<ActivationManifest.Tap> taps = new ArrayList<>();
        for (int t = 0; t < settings.taps().size(); t++) {
            List<ActivationManifest.Shard> shards = new ArrayList<>();
            long nonFinite = 0;
            for (HarvestState.Shard s : state.shards()) {
                shards.add(new ActivationManifest.Shard(ShardWriter.shardFile(s.index()), s.rows()));
                nonFinite += s.nonFinite().get(t);
            }
            int width = state.widths().isEmpty() ? 0 : state.widths().get(t);
            taps.add(new ActivationManifest.Tap(
                    settings.taps().get(t),
                    tapDirectories.get(t),
                    width == 0 ? "?" : "[?, ?, " + width + "]",
                    width,
                    state.rows(),
                    nonFinite,
                    shards));
        }
        Map<String, Object> notes = new LinkedHashMap<>();
        notes.put("harvest", "token activations of a text model; tokens/ holds the token of every row");
        notes.put("model", settings.model());
        notes.put("model_sha256", settings.modelSha256());
        notes.put("corpus", settings.corpus());
        notes.put("tokens_requested", settings.tokenBudget() == 0 ? "all" : settings.tokenBudget());
        notes.put("special_tokens", settings.specialTokens().label());
        notes.put("max_length", settings.maxLength());
        notes.put("batch_size", settings.batchSize());
        Map<String, String> tensors = new LinkedHashMap<>();
        for (int t = 0; t < settings.taps().size(); t++) {
            tensors.put(settings.taps().get(t), settings.tensors().get(t));
        }
        notes.put("tensors", tensors);
        return new ActivationManifest(
                ActivationManifest.FORMAT_VERSION,
                complete,
                settings.model(),
                settings.modelSha256(),
                settings.corpus(),
                documents,
                settings.rowsPerShard(),
                0,
                taps,
                notes);
    }

    /** {@code {"id":"...","text":"..."}}: compact JSON, UTF-8 as it is. */
    static String documentLine(TextCorpus.Document d) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("text", d.text());
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a document as JSON: " + e.getMessage(), e);
        }
    }

    /** The document of one {@code documents.jsonl} line. */
    static TextCorpus.Document parseDocument(String line, Path file, long number) throws MalformedFileException {
        try {
            JsonNode n = JSON.readTree(line);
            if (n != null && n.path("id").isTextual() && n.path("text").isTextual()) {
                return new TextCorpus.Document(
                        n.get("id").asText(), n.get("text").asText());
            }
        } catch (JsonProcessingException e) {
            // reported below
        }
        throw new MalformedFileException(
                file.toString(), "line " + number + ": not a {\"id\": ..., \"text\": ...} object");
    }

    /** One token per line; a line break inside a token is written {@code \n} (and {@code \r} as {@code \r}). */
    static String vocabText(List<String> vocabulary) {
        StringBuilder sb = new StringBuilder();
        for (String token : vocabulary) {
            sb.append(token.replace("\n", "\\n").replace("\r", "\\r")).append('\n');
        }
        return sb.toString();
    }
}
