package dev.saekit.onnx.splice;

import dev.saekit.io.Names;
import dev.saekit.onnx.FloatTensor;
import dev.saekit.onnx.ocr.CtcDecoder;
import java.util.Map;

/**
 * Per-frame character distributions compared by KL divergence, argmax and greedy CTC decoding;
 * see {@link Downstream.CharacterDistributions}. Decoded texts are compared with leading and
 * trailing spaces stripped, as {@code extract-ocr} reads its lines.
 */
final class CharacterTally implements Tally {
    /** How far from 1 a frame of probabilities may sum. */
    static final double PROBABILITY_TOLERANCE = 1e-3;

    private final String output;
    private final CtcDecoder decoder;
    private Downstream.Scores scores;
    private final int kinds = Ablation.values().length;
    private final double[] kl = new double[kinds];
    private final long[] agree = new long[kinds];
    private final long[] distanceToClean = new long[kinds];
    private final long[] distanceToTruth = new long[kinds];
    private long lines;
    private long frames;
    private long cleanCharacters;
    private long truthCharacters;
    private long cleanDistanceToTruth;
    private boolean references = true;
    // the batch last given to clean()
    private double[] cleanLogProbs;
    private int[][] cleanPaths;
    private String[] cleanTexts;

    CharacterTally(Downstream.CharacterDistributions measure) {
        this.output = measure.output();
        this.decoder = measure.decoder();
        this.scores = measure.scores();
    }

    @Override
    public void clean(EvalBatch batch, Map<String, FloatTensor> clean) {
        FloatTensor p = Tally.output(clean, output);
        checkShape(p);
        if (scores == Downstream.Scores.DETECT) {
            scores = areProbabilities(p) ? Downstream.Scores.PROBABILITIES : Downstream.Scores.LOGITS;
        }
        int n = Math.toIntExact(p.dim(0));
        references &= batch.references().size() == n;
        cleanLogProbs = logProbabilities(p, false);
        cleanPaths = new int[n][];
        cleanTexts = new String[n];
        for (int line = 0; line < n; line++) {
            cleanPaths[line] = decoder.argmax(p, line);
            cleanTexts[line] = decoder.decode(cleanPaths[line]).strip();
            cleanCharacters += cleanTexts[line].length();
            if (references) {
                String truth = batch.references().get(line);
                cleanDistanceToTruth += Names.distance(cleanTexts[line], truth);
                truthCharacters += truth.length();
            }
        }
        lines += n;
        frames += (long) n * p.dim(1);
    }

    @Override
    public void add(Ablation ablation, EvalBatch batch, Map<String, FloatTensor> altered) {
        FloatTensor q = Tally.output(altered, output);
        checkShape(q);
        int a = ablation.ordinal();
        double[] logQ = logProbabilities(q, true);
        int classes = Math.toIntExact(q.dim(2));
        for (int f = 0; f < logQ.length / classes; f++) {
            double sum = 0;
            for (int k = f * classes; k < (f + 1) * classes; k++) {
                double logP = cleanLogProbs[k];
                if (logP != Double.NEGATIVE_INFINITY) { // 0 log 0 = 0
                    sum += Math.exp(logP) * (logP - logQ[k]);
                }
            }
            kl[a] += sum;
        }
        for (int line = 0; line < cleanPaths.length; line++) {
            int[] path = decoder.argmax(q, line);
            for (int t = 0; t < path.length; t++) {
                agree[a] += path[t] == cleanPaths[line][t] ? 1 : 0;
            }
            String text = decoder.decode(path).strip();
            distanceToClean[a] += Names.distance(text, cleanTexts[line]);
            if (references) {
                distanceToTruth[a] += Names.distance(text, batch.references().get(line));
            }
        }
    }

    @Override
    public CharacterFidelity result() {
        return new CharacterFidelity(
                output,
                lines,
                frames,
                scores == Downstream.Scores.PROBABILITIES,
                references ? cleanDistanceToTruth / (double) truthCharacters : Double.NaN,
                scores(Ablation.SPLICE),
                scores(Ablation.ZERO),
                scores(Ablation.MEAN));
    }

    private CharacterFidelity.Scores scores(Ablation ablation) {
        int a = ablation.ordinal();
        return new CharacterFidelity.Scores(
                kl[a] / frames,
                agree[a] / (double) frames,
                distanceToClean[a] / (double) cleanCharacters,
                references ? distanceToTruth[a] / (double) truthCharacters : Double.NaN);
    }

    private void checkShape(FloatTensor t) {
        if (t.rank() != 3 || t.dim(2) != decoder.classCount()) {
            throw new IllegalArgumentException("the output '" + output + "' is " + t.shapeText()
                    + "; character distributions are [lines, frames, " + decoder.classCount() + "]");
        }
    }

    /**
     * The natural log of each class's probability, frame by frame: of the values, or of their
     * softmax. A probability of 0 has log -infinity, or with {@code floorZeros} that of the smallest
     * float (a class the altered run rules out costs much, but not infinitely much).
     */
    private double[] logProbabilities(FloatTensor t, boolean floorZeros) {
        double zero = floorZeros ? Math.log(Float.MIN_VALUE) : Double.NEGATIVE_INFINITY;
        float[] v = t.data();
        double[] log = new double[v.length];
        int classes = t.width();
        for (int base = 0; base < v.length; base += classes) {
            if (scores == Downstream.Scores.PROBABILITIES) {
                for (int k = base; k < base + classes; k++) {
                    log[k] = v[k] == 0f ? zero : Math.log(v[k]);
                }
            } else {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = base; k < base + classes; k++) {
                    max = Math.max(max, v[k]);
                }
                double sum = 0;
                for (int k = base; k < base + classes; k++) {
                    sum += Math.exp(v[k] - max);
                }
                double logSum = max + Math.log(sum);
                for (int k = base; k < base + classes; k++) {
                    log[k] = v[k] - logSum;
                }
            }
        }
        return log;
    }

    /** Whether every frame of {@code t} is non-negative and sums to 1 within {@link #PROBABILITY_TOLERANCE}. */
    static boolean areProbabilities(FloatTensor t) {
        float[] v = t.data();
        int classes = t.width();
        for (int base = 0; base < v.length; base += classes) {
            double sum = 0;
            for (int k = base; k < base + classes; k++) {
                if (v[k] < 0) {
                    return false;
                }
                sum += v[k];
            }
            if (Math.abs(sum - 1) > PROBABILITY_TOLERANCE) {
                return false;
            }
        }
        return true;
    }
}
