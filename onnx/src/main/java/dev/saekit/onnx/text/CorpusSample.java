package dev.saekit.onnx.text;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Documents picked evenly over a corpus, with some left out by id (those of a harvest, {@link
 * HarvestDirectory#documentIds()}, so that an SAE is scored on text it was not trained on).
 *
 * @param documents the picked documents, in corpus order
 * @param eligible  the corpus's documents that were not left out, which they were picked from
 * @param excluded  the corpus's documents left out because their id was excluded
 */
public record CorpusSample(List<TextCorpus.Document> documents, long eligible, long excluded) {
    public CorpusSample {
        documents = List.copyOf(documents);
    }

    /**
     * {@code count} documents of {@code corpus} whose ids are not in {@code excludedIds}, spread
     * evenly over those: of the {@code E} eligible documents, document {@code i * E / count} for
     * {@code i < count}, or all of them when there are no more than {@code count}. The corpus is read
     * once, in its order, holding its eligible documents.
     */
    public static CorpusSample evenly(TextCorpus corpus, int count, Set<String> excludedIds) throws IOException {
        Objects.requireNonNull(excludedIds, "excludedIds");
        if (count <= 0) {
            throw new IllegalArgumentException("count must be > 0, was " + count);
        }
        List<TextCorpus.Document> all = new ArrayList<>();
        long excluded = 0;
        try (TextCorpus.Reader r = corpus.open()) {
            for (TextCorpus.Document d = r.next(); d != null; d = r.next()) {
                if (excludedIds.contains(d.id())) {
                    excluded++;
                } else {
                    all.add(d);
                }
            }
        }
        if (all.size() <= count) {
            return new CorpusSample(all, all.size(), excluded);
        }
        List<TextCorpus.Document> picked = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            picked.add(all.get((int) ((long) i * all.size() / count)));
        }
        return new CorpusSample(picked, all.size(), excluded);
    }

    /** The picked documents' texts, in order. */
    public List<String> texts() {
        return documents.stream().map(TextCorpus.Document::text).toList();
    }
}
