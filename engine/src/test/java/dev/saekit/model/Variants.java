package dev.saekit.model;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import java.util.List;
import java.util.function.Function;

/** One factory per variant, for tests that run over all of them. */
final class Variants {
    private Variants() {}

    /** A named way to build a variant from a config. */
    record Factory(String name, Function<SaeConfig, SparseAutoencoder> build) {
        SparseAutoencoder create(SaeConfig c) {
            return build.apply(c);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static SaeConfig config(int input, int concepts, DType dtype, long seed) {
        return new SaeConfig(input, concepts, EncoderKind.LINEAR, DictionaryConfig.defaults(), dtype, seed);
    }

    /** The config with an identity-normalised dictionary with multiplier: finite differences see every parameter. */
    static SaeConfig unprojected(SaeConfig c) {
        return c.withDictionary(new DictionaryConfig(Normalization.IDENTITY, true));
    }

    static List<Factory> all() {
        return List.of(
                new Factory("vanilla", TestModels::vanilla),
                new Factory("topk", c -> TestModels.topK(c, 3)),
                new Factory("batchtopk", c -> TestModels.batchTopK(c, new BatchTopKSae.BatchK.PerSample(3))),
                new Factory("jumprelu", c -> TestModels.jump(c, JumpKernel.SILVERMAN, 1e-3f)),
                new Factory("mp", c -> TestModels.mp(c, 3, null)),
                new Factory("omp", c -> TestModels.omp(c, 3, 10, null)),
                new Factory("msae", c -> TestModels.msae(c, List.of(2, 4), 30.0)),
                new Factory(
                        "matryoshka_prefix",
                        c -> TestModels.prefixMatryoshka(c, List.of(4, 8), new BatchTopKSae.BatchK.PerSample(3), 0.9)),
                new Factory(
                        "ra_topk",
                        c -> new ModelSpec(
                                        c,
                                        new TopKSpec(3),
                                        new ModelSpec.DictionarySpec.Archetypal(c.nbConcepts() + 4, 1.0, true),
                                        new ModelSpec.EncoderSpec.Standard())
                                .build(new SeededRandom(c.seed() + 1)
                                        .normal(c.dtype(), 1.0, c.nbConcepts() + 4, c.inputDim()))));
    }
}
