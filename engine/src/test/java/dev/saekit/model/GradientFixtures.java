package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.fail;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.LossSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Small float64 models and kink-free inputs for the finite-difference checks. */
final class GradientFixtures {
    static final int INPUT = 4;
    static final int CONCEPTS = 6;
    static final int BATCH = 5;
    /** An identity-normalised dictionary with a trained multiplier: its projection is a no-op. */
    static final DictionaryConfig TRAINED_MULTIPLIER = new DictionaryConfig(Normalization.IDENTITY, true);

    private GradientFixtures() {}

    static Sae model(EncoderKind kind, DictionaryConfig dictionary, long seed) {
        return TestModels.vanilla(new SaeConfig(INPUT, CONCEPTS, kind, dictionary, DType.FLOAT64, seed));
    }

    /**
     * Randomises the constant-initialised parameters (norm affines, biases at zero, the
     * multiplier), so that a missing factor cannot hide behind a 1 or a 0.
     */
    static void jitterConstants(SparseAutoencoder model, SeededRandom rng) {
        for (Parameter p : model.parameters()) {
            INDArray v = p.value();
            if (p.isTrainable() && v.minNumber().doubleValue() == v.maxNumber().doubleValue()) {
                p.assign(v.add(rng.uniform(DType.FLOAT64, -0.5, 0.5, v.shape())));
            }
        }
    }

    /**
     * Jitters the model's constants, then returns random inputs for which no ReLU input lies within
     * {@link GradientCheck#KINK_MARGIN} of zero.
     */
    static INDArray kinkFreeData(SparseAutoencoder model, EncoderKind kind) {
        jitterConstants(model, new SeededRandom(model.config().seed() + 1000));
        for (long seed = 0; seed < 50; seed++) {
            INDArray x = new SeededRandom(seed).normal(DType.FLOAT64, 1.0, BATCH, INPUT);
            if (GradientCheck.closestReluInputToZero(model, kind, x) > GradientCheck.KINK_MARGIN) {
                return x;
            }
        }
        return fail("no data seed keeps every ReLU input away from 0");
    }

    /** {@code sum(z_pre * c)} for a fixed random {@code c}: a loss term on the pre-codes. */
    static final class PreCodesDot implements Loss {
        private final INDArray c;

        PreCodesDot(long seed) {
            this.c = new SeededRandom(seed).normal(DType.FLOAT64, 1.0, BATCH, CONCEPTS);
        }

        @Override
        public LossSpec spec() {
            return new LossSpec.Custom("pre_codes_dot");
        }

        @Override
        public double evaluate(INDArray x, SaeOutput output, INDArray d, LossGradients grads) {
            grads.preCodes().addi(c);
            return output.preCodes().mul(c).sumNumber().doubleValue();
        }
    }
}
