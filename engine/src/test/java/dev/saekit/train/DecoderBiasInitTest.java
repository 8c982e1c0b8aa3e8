package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.GeometricMedian;
import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.ModelSpec.DictionarySpec;
import dev.saekit.model.ModelSpec.EncoderSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.VanillaSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class DecoderBiasInitTest {
    private static final SaeConfig CONFIG =
            SaeConfig.of(4, 6).withDType(DType.FLOAT64).withSeed(1);
    private static final INDArray X =
            new SeededRandom(2).normal(DType.FLOAT64, 1.0, 30, 4).addi(3);
    private static final ModelSpec SAELENS =
            new ModelSpec(CONFIG, new VanillaSpec(), new DictionarySpec.Plain(), new EncoderSpec.SaeLens(true));

    /** The bias a run starts from (seen when training starts, before the first step). */
    private static INDArray startingBias(TrainingConfig.Builder b) {
        INDArray[] seen = new INDArray[1];
        SparseAutoencoder model = SAELENS.build();
        new Trainer(b.epochs(1).batchSize(10).build(), new TrainingListener() {
                    @Override
                    public void onTrainingStart(TrainingContext c) {
                        seen[0] = c.model().decoderBias().value().dup();
                    }
                })
                .fit(model, InMemoryDataset.of(X, "x"));
        return seen[0];
    }

    @Test
    void theBiasStartsAtTheMeanOrTheMedianOfTheSample() {
        // 30 rows and a sample of 8192: every row
        Tolerance.assertIdentical(
                X.mean(0), startingBias(TrainingConfig.builder().decoderBiasInit(DecoderBiasInit.MEAN)), "mean");
        Tolerance.assertIdentical(
                GeometricMedian.of(X),
                startingBias(TrainingConfig.builder().decoderBiasInit(DecoderBiasInit.GEOMETRIC_MEDIAN)),
                "median");
        Tolerance.assertIdentical(
                GeometricMedian.of(X.mul(0.5)),
                startingBias(TrainingConfig.builder()
                        .decoderBiasInit(DecoderBiasInit.GEOMETRIC_MEDIAN)
                        .normalization(InputNormalization.fixed(0.5))),
                "the median of the normalised rows");
        assertTrue(startingBias(TrainingConfig.builder()).amaxNumber().doubleValue() == 0, "zero: as built");
    }

    @Test
    void aModelWithoutDecoderBiasIsRefused() {
        SparseAutoencoder standard = ModelSpec.of(CONFIG, new VanillaSpec()).build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new Trainer(TrainingConfig.builder()
                                .decoderBiasInit(DecoderBiasInit.MEAN)
                                .build())
                        .fit(standard, InMemoryDataset.of(X, "x")));
        assertTrue(e.getMessage().contains("has none"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DecoderBiasInit.parse("median2"));
    }
}
