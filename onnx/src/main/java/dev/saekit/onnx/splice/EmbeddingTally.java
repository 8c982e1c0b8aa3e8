package dev.saekit.onnx.splice;

import dev.saekit.onnx.FloatTensor;
import java.util.Map;

/** Mean-pooled sentence embeddings compared by cosine; see {@link Downstream.SentenceEmbedding}. */
final class EmbeddingTally implements Tally {
    private final String output;
    private final double[] cosineSums = new double[Ablation.values().length];
    private long documents;
    private double[][] cleanPooled;

    EmbeddingTally(Downstream.SentenceEmbedding measure) {
        this.output = measure.output();
    }

    @Override
    public void clean(EvalBatch batch, Map<String, FloatTensor> clean) {
        cleanPooled = pool(Tally.output(clean, output), batch.attentionMask());
        documents += cleanPooled.length;
    }

    @Override
    public void add(Ablation ablation, EvalBatch batch, Map<String, FloatTensor> altered) {
        double[][] pooled = pool(Tally.output(altered, output), batch.attentionMask());
        for (int d = 0; d < pooled.length; d++) {
            cosineSums[ablation.ordinal()] += cosine(cleanPooled[d], pooled[d]);
        }
    }

    @Override
    public EmbeddingFidelity result() {
        return new EmbeddingFidelity(
                output,
                documents,
                cosineSums[Ablation.SPLICE.ordinal()] / documents,
                cosineSums[Ablation.ZERO.ordinal()] / documents,
                cosineSums[Ablation.MEAN.ordinal()] / documents);
    }

    /**
     * Each document's embedding: {@code sum_t mask[d, t] * h[d, t, :] / max(sum_t mask[d, t], 1e-9)}
     * of {@code h} {@code [documents, tokens, width]}, in double precision; a null mask counts every token.
     */
    static double[][] pool(FloatTensor h, long[] mask) {
        if (h.rank() != 3) {
            throw new IllegalArgumentException(
                    "a sentence embedding pools a [documents, tokens, width] output, was " + h.shapeText());
        }
        int docs = Math.toIntExact(h.dim(0));
        int tokens = Math.toIntExact(h.dim(1));
        int width = h.width();
        if (mask != null && mask.length != docs * tokens) {
            throw new IllegalArgumentException("the output " + h.shapeText() + " has " + docs * tokens
                    + " token rows but the attention mask has " + mask.length + " values");
        }
        float[] v = h.data();
        double[][] pooled = new double[docs][width];
        for (int d = 0; d < docs; d++) {
            double weight = 0;
            for (int t = 0; t < tokens; t++) {
                long m = mask == null ? 1 : mask[d * tokens + t];
                if (m != 0) {
                    weight += m;
                    int base = (d * tokens + t) * width;
                    for (int j = 0; j < width; j++) {
                        pooled[d][j] += m * (double) v[base + j];
                    }
                }
            }
            double divisor = Math.max(weight, 1e-9);
            for (int j = 0; j < width; j++) {
                pooled[d][j] /= divisor;
            }
        }
        return pooled;
    }

    /** {@code <a, b> / sqrt(|a|^2 |b|^2)}: exactly 1 for equal vectors (a square root of a square is exact). */
    static double cosine(double[] a, double[] b) {
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int j = 0; j < a.length; j++) {
            dot += a[j] * b[j];
            aa += a[j] * a[j];
            bb += b[j] * b[j];
        }
        return dot / Math.sqrt(aa * bb);
    }
}
