package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.dictionary.DictionaryConfig;
import dev.saekit.dictionary.DictionaryLayer;
import dev.saekit.dictionary.Normalization;
import dev.saekit.encoder.Codes;
import dev.saekit.encoder.EncoderKind;
import dev.saekit.encoder.Encoders;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.tensor.Tensors;
import dev.saekit.tensor.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The contract of the vanilla SAE, run over every encoder kind. */
class SaeContractTest {
    private static final int INPUT = 5;
    private static final int CONCEPTS = 8;

    private static Sae model(EncoderKind kind) {
        return TestModels.vanilla(
                SaeConfig.of(INPUT, CONCEPTS).withEncoder(kind).withSeed(3));
    }

    private static INDArray batch(int rows, long seed) {
        return new SeededRandom(seed).normal(DType.FLOAT32, 1.0, rows, INPUT);
    }

    @ParameterizedTest
    @EnumSource(value = EncoderKind.class, names = "IDENTITY", mode = EnumSource.Mode.EXCLUDE)
    void forwardReturnsPreCodesCodesAndReconstructionOfTheDocumentedShapes(EncoderKind kind) {
        SaeOutput out = model(kind).forward(batch(6, 1));
        assertArrayEquals(new long[] {6, CONCEPTS}, out.preCodes().shape());
        assertArrayEquals(new long[] {6, CONCEPTS}, out.codes().shape());
        assertArrayEquals(new long[] {6, INPUT}, out.reconstruction().shape());
        assertTrue(out.codes().minNumber().doubleValue() >= 0, "vanilla codes are ReLU outputs");
    }

    @ParameterizedTest
    @EnumSource(value = EncoderKind.class, names = "IDENTITY", mode = EnumSource.Mode.EXCLUDE)
    void encodeAndDecodeAgreeWithForward(EncoderKind kind) {
        Sae model = model(kind);
        model.forward(batch(6, 1)); // running statistics for the BatchNorm kinds
        model.eval();
        INDArray x = batch(4, 2);
        SaeOutput out = model.forward(x).detach();
        Codes codes = model.encode(x);
        Tolerance.assertIdentical(out.preCodes(), codes.preCodes(), "encode() runs forward()'s pre-codes");
        Tolerance.assertIdentical(out.codes(), codes.codes(), "encode() runs forward()'s codes");
        // decode() and the forward pass multiply the same codes and dictionary, maybe in other orders
        INDArray d = model.getDictionary();
        double product = 2 * Tolerance.sum(model.dtype(), Tolerance.productMagnitude(out.codes(), d), CONCEPTS);
        Tolerance.assertClose(out.reconstruction(), model.decode(codes.codes()), product, "decode(codes)");
        Tolerance.assertClose(out.codes().mmul(d), out.reconstruction(), product, "x_hat = z @ D");
    }

    @ParameterizedTest
    @EnumSource(value = EncoderKind.class, names = "IDENTITY", mode = EnumSource.Mode.EXCLUDE)
    void theTrainingStepReusesItsOutputArrays(EncoderKind kind) {
        Sae model = model(kind);
        SaeOutput first = model.forward(batch(6, 1));
        SaeOutput second = model.forward(batch(6, 2));
        assertSame(first.preCodes(), second.preCodes());
        assertSame(first.codes(), second.codes());
        assertSame(first.reconstruction(), second.reconstruction());
        // a short last batch gets its own arrays, and the full-size ones come back after it
        SaeOutput shortBatch = model.forward(batch(3, 3));
        assertNotSame(first.codes(), shortBatch.codes());
        assertSame(first.codes(), model.forward(batch(6, 4)).codes());
    }

    @Test
    void aTiedModelAlsoReusesItsOutputArrays() {
        SparseAutoencoder model =
                TestModels.withEncoder(model(EncoderKind.LINEAR), new ModelSpec.EncoderSpec.Tied(true));
        SaeOutput first = model.forward(batch(6, 1));
        assertSame(first.codes(), model.forward(batch(6, 2)).codes());
        assertSame(first.reconstruction(), model.forward(batch(6, 2)).reconstruction());
    }

    @Test
    void trainAndEvalSwitchTheEncoderAndTheDictionaryToo() {
        Sae model = model(EncoderKind.MLP_BN_1);
        assertTrue(model.isTraining()
                && model.encoder().isTraining()
                && model.dictionary().isTraining());
        model.eval();
        assertFalse(model.isTraining()
                || model.encoder().isTraining()
                || model.dictionary().isTraining());
        // in eval a single row is fine: BatchNorm uses its running statistics
        assertArrayEquals(
                new long[] {1, CONCEPTS}, model.forward(batch(1, 5)).codes().shape());
        model.train();
        assertTrue(model.isTraining()
                && model.encoder().isTraining()
                && model.dictionary().isTraining());
    }

    @Test
    void anInputOfTheWrongWidthIsRejectedWithBothShapes() {
        Sae model = model(EncoderKind.LINEAR);
        INDArray wrong = Tensors.zeros(DType.FLOAT32, 3, 7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(wrong));
        assertTrue(e.getMessage().contains("[batch, 5]") && e.getMessage().contains("[3, 7]"), e.getMessage());
        IllegalArgumentException vector =
                assertThrows(IllegalArgumentException.class, () -> model.forward(Tensors.zeros(DType.FLOAT32, 5)));
        assertTrue(vector.getMessage().contains("[5]"), vector.getMessage());
    }

    @Test
    void anInputOfTheWrongDtypeIsRejectedWithAdvice() {
        Sae model = model(EncoderKind.LINEAR);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> model.forward(Tensors.zeros(DType.FLOAT64, 2, INPUT)));
        assertTrue(e.getMessage().contains("float32") && e.getMessage().contains("DOUBLE"), e.getMessage());
        assertTrue(e.getMessage().contains("Tensors.copy"), e.getMessage());
    }

    @Test
    void backwardBeforeForwardIsAnIllegalState() {
        Sae model = model(EncoderKind.LINEAR);
        OutputGradients grads = new OutputGradients(Tensors.zeros(DType.FLOAT32, 2, INPUT), null, null);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.backward(grads));
        assertTrue(e.getMessage().contains("forward()"), e.getMessage());
    }

    @Test
    void aReconstructionGradientOfTheWrongShapeIsRejected() {
        Sae model = model(EncoderKind.LINEAR);
        model.forward(batch(4, 1));
        OutputGradients grads = new OutputGradients(Tensors.zeros(DType.FLOAT32, 3, INPUT), null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.backward(grads));
        assertTrue(e.getMessage().contains("[4, 5]") && e.getMessage().contains("[3, 5]"), e.getMessage());
    }

    @Test
    void toStringNamesTheVariantAndItsSettings() {
        Sae model = TestModels.vanilla(SaeConfig.of(INPUT, CONCEPTS)
                .withEncoder(EncoderKind.MLP_LN_3)
                .withDictionary(new DictionaryConfig(Normalization.MAX_L1, true))
                .withDType(DType.FLOAT64));
        assertEquals(
                "Sae[variant=vanilla, input=5, concepts=8, encoder=mlp_ln_3, dictionary=max_l1+multiplier, "
                        + "float64, train]",
                model.toString());
        SparseAutoencoder tied = TestModels.withEncoder(model, new ModelSpec.EncoderSpec.Tied(false))
                .eval();
        assertTrue(tied.toString().contains("encoder=tied") && tied.toString().endsWith("eval]"), tied.toString());
    }

    @Test
    void parametersListTheEncoderThenTheDictionaryUnderStateDictNames() {
        Sae model = model(EncoderKind.LINEAR);
        assertEquals(
                List.of(
                        "encoder.final_block.0.weight",
                        "encoder.final_block.0.bias",
                        "dictionary._weights",
                        "dictionary.multiplier"),
                model.parameters().stream().map(Parameter::name).toList());
        assertEquals(CONCEPTS * INPUT + CONCEPTS + CONCEPTS * INPUT, model.trainableCount());
    }

    @Test
    void tyingSharesTheDictionaryAndUntyingCopiesIt() {
        SparseAutoencoder model =
                TestModels.withEncoder(model(EncoderKind.LINEAR), new ModelSpec.EncoderSpec.Tied(true));
        assertTrue(model.isTied());
        assertEquals(
                List.of("encoder.bias", "dictionary._weights", "dictionary.multiplier"),
                model.parameters().stream().map(Parameter::name).toList());
        SparseAutoencoder untied = TestModels.withEncoder(model, new ModelSpec.EncoderSpec.Untied(false));
        assertFalse(untied.isTied());
        INDArray encoderWeight =
                untied.parameter("encoder.weight").orElseThrow().value();
        // the copy is of the dictionary as the first training fetch projected it; a fetch projects the
        // (already unit) atoms again, which moves each entry by the rounding of a norm of INPUT terms
        Tolerance.assertClose(
                untied.getDictionary(),
                encoderWeight,
                Tolerance.f32(1.0, 2 * INPUT + 2),
                "the untied encoder's copy of the dictionary");
        assertNotSame(untied.getDictionary(), encoderWeight);
        assertEquals(
                new ModelSpec.EncoderSpec.Untied(false),
                untied.spec().encoder(),
                "the layout is fixed when the model is built");
    }

    @Test
    void aDictionaryOfTheWrongSizeIsRejectedWithBothShapes() {
        SaeConfig config = SaeConfig.of(INPUT, CONCEPTS);
        DictionaryLayer small = DictionaryLayer.fromInitializer(
                Tensors.zeros(DType.FLOAT32, 3, INPUT), DictionaryConfig.defaults(), DType.FLOAT32);
        ModelParts parts = new ModelParts(
                Encoders.create(EncoderKind.LINEAR, INPUT, CONCEPTS, DType.FLOAT32, new SeededRandom(0)), small, null);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new Sae(ModelSpec.of(config, new VanillaSpec()), parts));
        assertTrue(e.getMessage().contains("[3, 5]") && e.getMessage().contains("[8, 5]"), e.getMessage());
    }

    @Test
    void configValidationNamesTheFieldAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SaeConfig.of(0, 8));
        assertEquals("inputDim must be > 0, was 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SaeConfig.of(4, -2));
        assertEquals("nbConcepts must be > 0, was -2", e.getMessage());
    }

    @Test
    void anArchetypalSpecBuildsOnTheGivenPointsAndRefusesPointsOfAnotherShape() {
        SaeConfig config = SaeConfig.of(3, 4).withDType(DType.FLOAT64);
        ModelSpec spec = new ModelSpec(
                config,
                new TopKSpec(2),
                new ModelSpec.DictionarySpec.Archetypal(6, 1.0, true),
                new ModelSpec.EncoderSpec.Standard());
        INDArray points = new dev.saekit.tensor.SeededRandom(1).normal(DType.FLOAT64, 1.0, 6, 3);
        SparseAutoencoder model = spec.build(points);
        Tolerance.assertIdentical(
                points,
                model.parameter(dev.saekit.dictionary.RelaxedArchetypalDictionary.POINTS)
                        .orElseThrow()
                        .value(),
                "the candidate points");
        assertEquals(spec, model.spec());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> spec.build(points.getRows(0, 1)));
        assertEquals("archetypal points must have shape [6, 3] (nbPoints, inputDim), was [2, 3]", e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> ModelSpec.of(config, new VanillaSpec()).build(points));
        assertTrue(e.getMessage().startsWith("candidate points are for an archetypal dictionary"), e.getMessage());
    }
}
