package dev.saekit.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Matryoshka over nested dictionary PREFIXES, with BatchTopK codes: the model SAELens and
 * dictionary_learning call "Matryoshka". For prefix sizes {@code m_1 < m_2 < ... < m_L = concepts},
 * level i reconstructs with the first {@code m_i} atoms only: {@code x_hat_i = z[:, :m_i] D[:m_i]}.
 * Trained with {@code MatryoshkaLoss}, the early atoms must reconstruct on their own, so they learn
 * general concepts and later ones refine them. The output's {@code nested} holds every
 * {@code x_hat_i}; the last is the full reconstruction.
 *
 * <p>Paper: Bussmann et al. (2025), "Learning Multi-Level Features with Matryoshka Sparse
 * Autoencoders"; Nabeshima (2024), "Matryoshka Sparse Autoencoders". Not the MSAE paper's model
 * ({@link MatryoshkaSae}, nested k over one dictionary).
 */
public final class PrefixMatryoshkaSae extends BatchTopKSae {
    private final int[] prefixes;

    PrefixMatryoshkaSae(ModelSpec spec, PrefixMatryoshkaSpec settings, ModelParts parts) {
        super(spec, settings.k(), settings.momentum(), parts);
        this.prefixes = withWholeDictionary(settings.prefixes(), spec.sae().nbConcepts());
    }

    /** The spec's sorted prefix sizes, with the whole dictionary as the last level. */
    private static int[] withWholeDictionary(java.util.List<Integer> sorted, int concepts) {
        int[] p = sorted.stream().mapToInt(Integer::intValue).toArray();
        if (p.length == 0 || p[p.length - 1] != concepts) {
            p = Arrays.copyOf(p, p.length + 1);
            p[p.length - 1] = concepts;
        }
        return p;
    }

    /** The sorted prefix sizes; the last is the number of concepts. */
    public int[] prefixes() {
        return prefixes.clone();
    }

    @Override
    public SaeOutput forward(INDArray x) {
        SaeOutput full = super.forward(x);
        INDArray d = dictionaryUsedByLastForward();
        long rows = x.rows();
        List<INDArray> levels = new ArrayList<>();
        for (int i = 0; i < prefixes.length - 1; i++) {
            int m = prefixes[i];
            INDArray z = buffers.get("prefix-codes" + i, rows, m)
                    .assign(full.codes().get(NDArrayIndex.all(), NDArrayIndex.interval(0, m)));
            INDArray xHat = buffers.get("prefix-xhat" + i, rows, outputDim());
            Nd4j.gemm(z, d.get(NDArrayIndex.interval(0, m), NDArrayIndex.all()).dup('c'), xHat, false, false, 1.0, 0.0);
            if (decoderBias() != null) {
                xHat.addiRowVector(decoderBias().value());
            }
            addSkipPath(x, xHat);
            levels.add(xHat);
        }
        levels.add(full.reconstruction());
        return remember(
                x,
                d,
                new SaeOutput(
                        full.preCodes(),
                        full.codes(),
                        full.reconstruction(),
                        levels,
                        full.sparseCodes(),
                        full.decoderBias()));
    }

    @Override
    public void backward(OutputGradients grads) {
        SaeOutput last = lastOutput();
        if (last == null) {
            throw new IllegalStateException("backward() needs a forward() first");
        }
        INDArray d = dictionaryUsedByLastForward();
        long rows = last.codes().rows();
        INDArray gCodes = buffers.get("prefix-grad-codes", rows, nbConcepts()).assign(0);
        if (grads.codes() != null) {
            gCodes.addi(grads.codes());
        }
        INDArray gRecon = buffers.get("prefix-grad-recon", rows, outputDim()).assign(grads.reconstruction());
        INDArray gD = null;
        for (int i = 0; i < grads.nested().size() && i < prefixes.length; i++) {
            INDArray g = grads.nested().get(i);
            if (g == null) {
                continue;
            }
            if (i == prefixes.length - 1) {
                gRecon.addi(g);
                continue;
            }
            int m = prefixes[i];
            if (decoderBias() != null && decoderBias().isTrainable()) {
                decoderBias().grad().addi(g.sum(0));
            }
            backwardSkipPath(g);
            INDArray dm = d.get(NDArrayIndex.interval(0, m), NDArrayIndex.all()).dup('c');
            INDArray gz = buffers.get("prefix-gz" + i, rows, m);
            Nd4j.gemm(g, dm, gz, false, true, 1.0, 0.0);
            gCodes.get(NDArrayIndex.all(), NDArrayIndex.interval(0, m)).addi(gz);
            if (gD == null) {
                gD = buffers.get("prefix-grad-d", nbConcepts(), outputDim()).assign(0);
            }
            INDArray gdm = buffers.get("prefix-gdm" + i, m, outputDim());
            Nd4j.gemm(buffers.get("prefix-codes" + i, rows, m), g, gdm, true, false, 1.0, 0.0);
            gD.get(NDArrayIndex.interval(0, m), NDArrayIndex.all()).addi(gdm);
        }
        if (gD != null) {
            dictionary.backward(gD, d);
        }
        super.backward(new OutputGradients(
                gRecon,
                gCodes,
                grads.preCodes(),
                grads.dictionary(),
                grads.dictionaryUsed(),
                List.of(),
                grads.sparseDecodes(),
                grads.codeSign()));
    }

    @Override
    protected String settings() {
        return super.settings() + ", prefixes=" + Arrays.toString(prefixes);
    }
}
