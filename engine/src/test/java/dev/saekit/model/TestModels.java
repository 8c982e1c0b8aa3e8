package dev.saekit.model;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.List;

/** Models of each variant with the standard layout, for tests: each is {@code ModelSpec.of(config, spec).build()}. */
public final class TestModels {
    private TestModels() {}

    public static Sae vanilla(SaeConfig c) {
        return (Sae) ModelSpec.of(c, new VanillaSpec()).build();
    }

    public static TopKSae topK(SaeConfig c, int k) {
        return (TopKSae) ModelSpec.of(c, new TopKSpec(k)).build();
    }

    public static BatchTopKSae batchTopK(SaeConfig c, BatchTopKSae.BatchK k) {
        return batchTopK(c, k, BatchTopKSpec.DEFAULT_MOMENTUM);
    }

    public static BatchTopKSae batchTopK(SaeConfig c, BatchTopKSae.BatchK k, double momentum) {
        return (BatchTopKSae) ModelSpec.of(c, new BatchTopKSpec(k, momentum)).build();
    }

    public static JumpSae jump(SaeConfig c) {
        return jump(c, JumpReluSpec.DEFAULT_KERNEL, JumpReluSpec.DEFAULT_BANDWIDTH);
    }

    public static JumpSae jump(SaeConfig c, JumpKernel kernel, float bandwidth) {
        return (JumpSae) ModelSpec.of(c, new JumpReluSpec(kernel, bandwidth)).build();
    }

    public static MpSae mp(SaeConfig c, int k, Double dropout) {
        return (MpSae) ModelSpec.of(c, new MpSpec(k, dropout)).build();
    }

    public static OmpSae omp(SaeConfig c, int k, int maxIter, Double dropout) {
        return (OmpSae) ModelSpec.of(c, new OmpSpec(k, maxIter, dropout)).build();
    }

    public static MatryoshkaSae msae(SaeConfig c, List<Integer> nesting, double softCap) {
        return (MatryoshkaSae) ModelSpec.of(c, new MsaeSpec(nesting, softCap)).build();
    }

    public static PrefixMatryoshkaSae prefixMatryoshka(
            SaeConfig c, List<Integer> prefixes, BatchTopKSae.BatchK k, double momentum) {
        return (PrefixMatryoshkaSae)
                ModelSpec.of(c, new PrefixMatryoshkaSpec(prefixes, k, momentum)).build();
    }

    /** {@code model} rebuilt with another encoder layout (tied, untied, ...), same seed and settings. */
    public static SparseAutoencoder withEncoder(SparseAutoencoder model, ModelSpec.EncoderSpec encoder) {
        ModelSpec s = model.spec();
        return new ModelSpec(s.sae(), s.variant(), s.dictionary(), encoder).build();
    }

    /**
     * The config of a hand-worked fixture: linear encoder, identity dictionary normalisation without
     * multiplier (the dictionary is used exactly as assigned), float64, seed 0.
     */
    public static SaeConfig handWorked(int inputDim, int nbConcepts) {
        return new SaeConfig(
                inputDim,
                nbConcepts,
                EncoderKind.LINEAR,
                new DictionaryConfig(Normalization.IDENTITY, false),
                DType.FLOAT64,
                0);
    }

    /** Sets the float64 matrix parameter {@code name} of {@code model} to {@code rows}. */
    public static void set(SparseAutoencoder model, String name, double[]... rows) {
        model.parameter(name).orElseThrow().assign(Tensors.matrix(DType.FLOAT64, rows));
    }

    /** Sets the float64 vector parameter {@code name} of {@code model} to {@code values}. */
    public static void setVector(SparseAutoencoder model, String name, double... values) {
        model.parameter(name).orElseThrow().assign(Tensors.fromFlat(DType.FLOAT64, values, values.length));
    }
}
