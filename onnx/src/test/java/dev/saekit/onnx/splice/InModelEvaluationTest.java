package dev.saekit.onnx.splice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.onnx.TinyModels;
import dev.saekit.onnx.ocr.CtcDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation on the hand-built sequence model: {@code h = relu(x @ W_SEQ)} ([N, T, 3]) is
 * spliced, and its output {@code out = -h} is read as the logits of three classes (blank, 'a',
 * space), so that every score can be worked out directly from {@code h}.
 */
class InModelEvaluationTest {
    private static final int N = 2;
    private static final int T = 6;
    private static final int WIDTH = 3;

    @TempDir
    static Path dir;

    private static SplicedModel model;
    private static CtcDecoder decoder;
    private static List<EvalBatch> batches;

    @BeforeAll
    static void open() throws Exception {
        model = SplicedModel.of(TinyModels.sequence(), Path.of("sequence.onnx"), "h", 1);
        Path keys = Files.writeString(dir.resolve("keys.txt"), "a\n");
        decoder = CtcDecoder.load(keys, WIDTH);
        batches = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            float[] x = new float[N * T * 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(0.9 * i + b);
            }
            batches.add(EvalBatch.of(Map.of("x", Feed.floats(x, N, T, 2)), List.of("a", "aa")));
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static InModelReport evaluate(RowAutoencoder sae, List<EvalBatch> of) {
        return InModelEvaluation.builder(model, sae, characters()).build().run(of);
    }

    private static Downstream characters() {
        return new Downstream.CharacterDistributions("out", decoder, Downstream.Scores.DETECT);
    }

    @Test
    void theIdentityRecoversEverythingExactly() {
        InModelReport r = evaluate(TestSaes.identity(WIDTH), batches);
        CharacterFidelity f = (CharacterFidelity) r.downstream();
        assertEquals(0.0, f.splice().klNats());
        assertEquals(1.0, f.splice().argmaxAgreement());
        assertEquals(0.0, f.splice().cerVsClean());
        assertEquals(1.0, f.fractionRecovered());
        assertEquals(1.0, f.fractionRecoveredOverMean());
        assertEquals(0.0, r.reconstruction().fvu());
        assertEquals(1.0, r.reconstruction().explainedVariance());
        assertEquals(1.0, r.reconstruction().l2Ratio());
        assertEquals(N * 3, r.sequences());
        assertEquals(N * T * 3, r.tokens());
        assertTrue(!f.probabilities(), "-relu values are logits, not probabilities");
    }

    @Test
    void aZeroSaeRecoversNothing() {
        InModelReport r = evaluate(TestSaes.zero(WIDTH), batches);
        CharacterFidelity f = (CharacterFidelity) r.downstream();
        assertEquals(f.zero(), f.splice());
        assertEquals(0.0, f.fractionRecovered());
        assertTrue(f.zero().klNats() > 0, "zeroing h changes the distributions: " + f.zero());
        assertEquals(WIDTH, r.reconstruction().deadLatents());
    }

    @Test
    void zeroAndMeanAblationScoresAreTheKlOfTheirOwnLogits() {
        float[] mean = {0.5f, 0.25f, 1f};
        InModelReport r = InModelEvaluation.builder(model, TestSaes.identity(WIDTH), characters())
                .meanRow(mean)
                .build()
                .run(batches);
        CharacterFidelity f = (CharacterFidelity) r.downstream();
        double zero = 0;
        double meanKl = 0;
        int frames = 0;
        for (EvalBatch b : batches) {
            float[] h = model.clean(b.feeds()).tap().data();
            for (int row = 0; row < h.length / WIDTH; row++) {
                double[] clean = new double[WIDTH];
                double[] ablatedMean = new double[WIDTH];
                for (int j = 0; j < WIDTH; j++) {
                    clean[j] = -h[row * WIDTH + j];
                    ablatedMean[j] = -mean[j];
                }
                zero += kl(clean, new double[WIDTH]);
                meanKl += kl(clean, ablatedMean);
                frames++;
            }
        }
        zero /= frames;
        meanKl /= frames;
        // both sides sum a few dozen terms of size ~1 in double: 1e-12 is thousands of roundings
        assertEquals(zero, f.zero().klNats(), 1e-12 * zero);
        assertEquals(meanKl, f.mean().klNats(), 1e-12 * meanKl);
        assertEquals(f.frames(), frames);
    }

    @Test
    void theDefaultMeanRowIsTheMeanOfTheEvaluatedTokens() {
        double[] sum = new double[WIDTH];
        int rows = 0;
        for (EvalBatch b : batches) {
            float[] h = model.clean(b.feeds()).tap().data();
            for (int i = 0; i < h.length; i++) {
                sum[i % WIDTH] += h[i];
            }
            rows += h.length / WIDTH;
        }
        float[] mean = new float[WIDTH];
        for (int j = 0; j < WIDTH; j++) {
            mean[j] = (float) (sum[j] / rows);
        }
        InModelReport computed = evaluate(TestSaes.identity(WIDTH), batches);
        InModelReport given = InModelEvaluation.builder(model, TestSaes.identity(WIDTH), characters())
                .meanRow(mean)
                .build()
                .run(batches);
        assertTrue(computed.meanOfEvaluatedRows());
        assertEquals(
                ((CharacterFidelity) given.downstream()).mean(), ((CharacterFidelity) computed.downstream()).mean());
    }

    @Test
    void paddingRowsAreFedTheirCleanValues() {
        // the second half of each line's timesteps is padding: zeroing the rest leaves their frames as they were
        long[] mask = new long[N * T];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i % T < T / 2 ? 1 : 0;
        }
        List<EvalBatch> padded = batches.stream()
                .map(b -> new EvalBatch(b.feeds(), mask, b.references()))
                .toList();
        InModelReport r = evaluate(TestSaes.identity(WIDTH), padded);
        double zero = 0;
        for (EvalBatch b : padded) {
            float[] h = model.clean(b.feeds()).tap().data();
            for (int row = 0; row < N * T; row++) {
                double[] clean = new double[WIDTH];
                for (int j = 0; j < WIDTH; j++) {
                    clean[j] = -h[row * WIDTH + j];
                }
                zero += mask[row] == 1 ? kl(clean, new double[WIDTH]) : 0;
            }
        }
        zero /= 3 * N * T;
        assertEquals(zero, ((CharacterFidelity) r.downstream()).zero().klNats(), 1e-12 * zero);
        assertEquals(3 * N * T / 2, r.tokens());
    }

    @Test
    void reconstructionMetricsMatchADirectComputation() {
        float factor = 0.5f;
        InModelReport r = evaluate(TestSaes.scaled(WIDTH, factor), batches);
        List<float[]> rows = new ArrayList<>();
        for (EvalBatch b : batches) {
            float[] h = model.clean(b.feeds()).tap().data();
            for (int row = 0; row < h.length / WIDTH; row++) {
                rows.add(java.util.Arrays.copyOfRange(h, row * WIDTH, (row + 1) * WIDTH));
            }
        }
        double[] mean = new double[WIDTH];
        rows.forEach(x -> {
            for (int j = 0; j < WIDTH; j++) {
                mean[j] += x[j] / (double) rows.size();
            }
        });
        double residual = 0;
        double variance = 0;
        double active = 0;
        double ratio = 0;
        int nonZeroRows = 0;
        long[] fires = new long[WIDTH];
        for (float[] x : rows) {
            double xx = 0;
            double rr = 0;
            for (int j = 0; j < WIDTH; j++) {
                double rec = factor * x[j];
                residual += (x[j] - rec) * (x[j] - rec);
                variance += (x[j] - mean[j]) * (x[j] - mean[j]);
                active += x[j] != 0 ? 1 : 0;
                fires[j] += x[j] != 0 ? 1 : 0;
                xx += x[j] * (double) x[j];
                rr += rec * rec;
            }
            if (xx > 0) {
                ratio += Math.sqrt(rr / xx);
                nonZeroRows++;
            }
        }
        ReconstructionQuality q = r.reconstruction();
        double tolerance = 1e-9; // the engine sums in float64 over a few dozen rows, in another order
        assertEquals(residual / variance, q.fvu(), tolerance);
        assertEquals(active / rows.size(), q.l0(), tolerance);
        assertEquals(ratio / nonZeroRows, q.l2Ratio(), tolerance);
        int dense = 0;
        int dead = 0;
        for (long f : fires) {
            dense += f > 0.1 * rows.size() ? 1 : 0;
            dead += f == 0 ? 1 : 0;
        }
        assertEquals(dense, q.denseLatents());
        assertEquals(dead, q.deadLatents());
        assertEquals(
                DensityHistogram.of(fires, rows.size()).toString(), q.density().toString());
    }

    @Test
    void anSaeOfAnotherWidthIsRefusedWithBothWidths() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> evaluate(TestSaes.identity(4), batches));
        assertTrue(e.getMessage().contains("width 4") && e.getMessage().contains("width 3"), e.getMessage());
    }

    @Test
    void theDensityHistogramBinsLog10Frequencies() {
        // 1000 tokens: 1 fire = 1e-3 (log -3, bin [-3, -2.5)), 500 = 10^-0.3 (bin [-0.5, 0)), 1000 = 1 (last bin), 0 =
        // dead
        DensityHistogram h = DensityHistogram.of(new long[] {1, 500, 1000, 0, 0}, 1000);
        long[] expected = new long[16];
        expected[10] = 1;
        expected[15] = 2;
        assertArrayEquals(expected, h.counts());
        assertEquals(2, h.dead());
        assertEquals(-8.0, h.edges()[0]);
        assertEquals(0.0, h.edges()[16]);
    }

    /** KL(softmax(p) || softmax(q)) in nats, written out. */
    private static double kl(double[] p, double[] q) {
        double[] lp = logSoftmax(p);
        double[] lq = logSoftmax(q);
        double s = 0;
        for (int k = 0; k < p.length; k++) {
            s += Math.exp(lp[k]) * (lp[k] - lq[k]);
        }
        return s;
    }

    private static double[] logSoftmax(double[] v) {
        double max = java.util.Arrays.stream(v).max().orElseThrow();
        double sum = 0;
        for (double x : v) {
            sum += Math.exp(x - max);
        }
        double[] out = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = v[k] - max - Math.log(sum);
        }
        return out;
    }
}
