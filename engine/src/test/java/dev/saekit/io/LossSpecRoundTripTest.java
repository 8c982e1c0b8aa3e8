package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.BatchTopKSpec;
import dev.saekit.model.CodeNormalization;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.MpSpec;
import dev.saekit.model.PrefixMatryoshkaSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.AuxKLoss;
import dev.saekit.train.CoderLosses;
import dev.saekit.train.DictionaryLearningAuxKLoss;
import dev.saekit.train.Loss;
import dev.saekit.train.LossGradients;
import dev.saekit.train.LossSpec;
import dev.saekit.train.Losses;
import dev.saekit.train.MatchingPursuitReviveLoss;
import dev.saekit.train.MatryoshkaLoss;
import dev.saekit.train.ReanimationLoss;
import dev.saekit.train.StatefulListener;
import dev.saekit.train.TopKAuxiliaryLoss;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.listeners.DeadCodeTracker;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every kind of loss term is data: its spec goes through JSON text and back equal, builds a loss of
 * the same spec, and that loss gives, in float64, the same value and the same gradients as the
 * original, bit for bit (a term with running state, AuxK, after its tracker's state is copied, as a
 * checkpoint does).
 */
class LossSpecRoundTripTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final InMemoryDataset DATA =
            InMemoryDataset.of(new SeededRandom(3).normal(DType.FLOAT64, 1.0, 32, 6), "random");
    private static final SaeConfig SAE =
            SaeConfig.of(6, 24).withDType(DType.FLOAT64).withSeed(5);
    private static final ModelSpec TOPK = ModelSpec.of(SAE, new TopKSpec(2));
    private static final ModelSpec MP = ModelSpec.of(SAE, new MpSpec(2, null));
    private static final ModelSpec CROSSCODER = ModelSpec.coder(SAE, new VanillaSpec(), CoderSpec.Crosscoder.of(2));
    private static final ModelSpec BATCHTOPK_CROSSCODER = ModelSpec.coder(
            SAE, new BatchTopKSpec(new BatchTopKSae.BatchK.PerBatch(4), 0.999), CoderSpec.Crosscoder.of(2));
    private static final ModelSpec NESTED =
            ModelSpec.of(SAE, new PrefixMatryoshkaSpec(List.of(8, 16), new BatchTopKSae.BatchK.PerSample(3), 0.9));

    static Stream<Arguments> losses() {
        Loss auxK = new AuxKLoss(new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, 1), 3, 0.5, AuxKLoss.Flavor.SAELENS);
        return Stream.of(
                Arguments.of("mse", Losses.mse(), TOPK),
                Arguments.of("l1", Losses.l1(0.01), TOPK),
                Arguments.of("mse_l1", Losses.mseL1(0.02), TOPK),
                Arguments.of("topk_aux", new TopKAuxiliaryLoss(0.1), TOPK),
                Arguments.of("auxk", auxK, TOPK),
                Arguments.of(
                        "auxk_sparsify",
                        new AuxKLoss(
                                new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, 2), 0, 0.25, AuxKLoss.Flavor.SPARSIFY),
                        TOPK),
                Arguments.of("reanimation", new ReanimationLoss(0.3), TOPK),
                Arguments.of("fvu", new CoderLosses.Fvu(), TOPK),
                Arguments.of("layer_l2", new CoderLosses.LayerL2(2), CROSSCODER),
                Arguments.of(
                        "weighted_l1", new CoderLosses.WeightedL1(0.2, 2, CodeNormalization.CROSSCODER), CROSSCODER),
                Arguments.of(
                        "auxk_dl",
                        new DictionaryLearningAuxKLoss(0.5, 0, 1, 2, CodeNormalization.CROSSCODER),
                        BATCHTOPK_CROSSCODER),
                Arguments.of("mp_revive", new MatchingPursuitReviveLoss(0.05, 0.5, 0), MP),
                Arguments.of("matryoshka uniform", MatryoshkaLoss.uniform(MatryoshkaLoss.Kind.MSE), NESTED),
                Arguments.of("matryoshka reverse", MatryoshkaLoss.reverseWeighted(MatryoshkaLoss.Kind.NMSE), NESTED),
                Arguments.of(
                        "matryoshka given",
                        MatryoshkaLoss.weighted(List.of(0.5, 0.25, 2.0), MatryoshkaLoss.Kind.MSE),
                        NESTED),
                Arguments.of("weighted", new TopKAuxiliaryLoss(0.1).times(0.25), TOPK),
                Arguments.of("sum", Losses.mse().plus(auxK.times(0.5)).plus(Losses.l1(1e-3)), TOPK),
                Arguments.of(
                        "nested sum",
                        Losses.mse()
                                .plus(Losses.l1(1e-3).plus(new ReanimationLoss(0.2)))
                                .times(2),
                        TOPK));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void aLossRebuiltFromItsJsonIsTheSameLoss(String name, Loss loss, ModelSpec model) throws IOException {
        LossSpec spec = loss.spec();
        String text = MAPPER.writeValueAsString(LossSpecJson.toJson(spec));
        LossSpec back = LossSpecJson.fromJson(MAPPER.readTree(text));
        assertEquals(spec, back, text);
        Loss rebuilt = back.build();
        assertEquals(spec, rebuilt.spec());
        assertEquals(loss.label(), rebuilt.label());

        if (!loss.listeners().isEmpty()) { // run the original's trackers over a few steps, then copy their states
            new Trainer(TrainingConfig.builder()
                            .epochs(1)
                            .batchSize(8)
                            .loss(loss)
                            .build())
                    .fit(model.build(), DATA);
            List<TrainingListener> from = loss.listeners();
            List<TrainingListener> to = rebuilt.listeners();
            assertEquals(from.size(), to.size());
            for (int i = 0; i < from.size(); i++) {
                ((StatefulListener) to.get(i)).restoreState(((StatefulListener) from.get(i)).saveState());
            }
        }
        SparseAutoencoder a = model.build();
        SparseAutoencoder b = model.build();
        double va = evaluate(loss, a);
        double vb = evaluate(rebuilt, b);
        assertEquals(Double.doubleToRawLongBits(va), Double.doubleToRawLongBits(vb), name + ": " + va + " vs " + vb);
        assertNotEquals(0.0, va, "the term must be at work for the test to mean something");
        for (Parameter p : a.parameters()) {
            if (p.isTrainable()) {
                assertArrayEquals(
                        p.grad().dup().data().asDouble(),
                        b.parameter(p.name()).orElseThrow().grad().dup().data().asDouble(),
                        0.0,
                        p.name());
            }
        }
    }

    /** The loss's value on one forward pass of all rows; its gradients are in the model's parameters after. */
    private static double evaluate(Loss loss, SparseAutoencoder model) {
        INDArray x = DATA.matrix();
        model.train();
        model.zeroGrad();
        SaeOutput out = model.forward(x);
        INDArray d = model.getDictionary();
        LossGradients grads = new LossGradients(model.dtype());
        grads.reset(out);
        double value = loss.evaluate(x, out, d, grads);
        model.backward(grads.toOutputGradients());
        return value;
    }
}
