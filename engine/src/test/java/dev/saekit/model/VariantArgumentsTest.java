package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.dictionary.RelaxedArchetypalDictionary;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad arguments are rejected with the field and the value named. */
class VariantArgumentsTest {
    private static final SaeConfig CONFIG = Variants.config(4, 8, DType.FLOAT32, 0);

    private static void rejected(Executable build, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' mentions " + w);
        }
    }

    @Test
    void topKMustLieBetweenOneAndTheNumberOfConcepts() {
        rejected(() -> TopKSae.create(CONFIG, 0), "topK", "was 0");
        rejected(() -> TopKSae.create(CONFIG, 9), "topK", "nbConcepts=8", "was 9");
    }

    @Test
    void batchTopKRejectsBadKAndMomentum() {
        rejected(() -> new BatchTopKSae.BatchK.PerBatch(0), "topK", "was 0");
        rejected(() -> BatchTopKSae.create(CONFIG, new BatchTopKSae.BatchK.PerSample(9)), "nbConcepts=8", "was 9");
        rejected(() -> BatchTopKSae.create(CONFIG, new BatchTopKSae.BatchK.PerBatch(4), -0.1), "thresholdMomentum", "-0.1");
        rejected(() -> BatchTopKSae.create(CONFIG, new BatchTopKSae.BatchK.PerBatch(4), 1.0), "thresholdMomentum", "1.0");
    }

    @Test
    void jumpReluRejectsANonPositiveBandwidthAndUnknownKernels() {
        rejected(() -> JumpSae.create(CONFIG, JumpKernel.SILVERMAN, 0f), "bandwidth", "0.0");
        rejected(() -> JumpSae.create(CONFIG, JumpKernel.SILVERMAN, -1e-3f), "bandwidth");
        rejected(() -> JumpKernel.parse("boxcar"), "boxcar", "rectangle", "silverman");
    }

    @Test
    void pursuitsRejectBadStepsAndDropout() {
        rejected(() -> MpSae.create(CONFIG, 0, null), "k", "was 0");
        rejected(() -> MpSae.create(CONFIG, 2, 1.0), "dropout", "1.0");
        rejected(() -> OmpSae.create(CONFIG, 9, 10, null), "k", "was 9");
        rejected(() -> OmpSae.create(CONFIG, 2, 0, null), "maxIter", "was 0");
    }

    @Test
    void archetypalDictionaryNeedsEnoughPointsAndAPositiveDelta() {
        rejected(() -> new RelaxedArchetypalDictionary(8, Tensors.zeros(DType.FLOAT32, 5, 4), 1.0, true, DType.FLOAT32),
                "nbConcepts=8", "got 5");
        rejected(() -> new RelaxedArchetypalDictionary(8, Tensors.zeros(DType.FLOAT32, 8, 4), 0.0, true, DType.FLOAT32),
                "delta", "0.0");
    }

    @Test
    void matryoshkasRejectBadLevels() {
        rejected(() -> MatryoshkaSae.create(CONFIG, List.of(), 30), "nestingList");
        rejected(() -> MatryoshkaSae.create(CONFIG, List.of(2, 9), 30), "nestingList", "was 9");
        rejected(() -> MatryoshkaSae.create(CONFIG, List.of(2, 2), 30), "twice");
        rejected(() -> MatryoshkaSae.create(CONFIG, List.of(2), -1), "softCap", "-1");
        rejected(() -> PrefixMatryoshkaSae.create(CONFIG, List.of(0, 4), new BatchTopKSae.BatchK.PerSample(2), 0.9),
                "prefix", "was 0");
    }

    @Test
    void batchTopKEvaluationBeforeAnyTrainingForwardSaysWhatToDo() {
        BatchTopKSae m = BatchTopKSae.create(CONFIG, new BatchTopKSae.BatchK.PerBatch(4));
        m.eval();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.forward(Tensors.ones(DType.FLOAT32, 2, 4)));
        assertTrue(e.getMessage().contains("training-mode forward"), e.getMessage());
    }
}
