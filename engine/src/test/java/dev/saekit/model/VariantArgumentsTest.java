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
        rejected(() -> new TopKSpec(0), "topk.k must be >= 1, was 0");
        rejected(() -> TestModels.topK(CONFIG, 9), "topk.k must be in 1..8 (the number of concepts), was 9");
    }

    @Test
    void batchTopKRejectsBadKAndMomentum() {
        rejected(() -> new BatchTopKSae.BatchK.PerBatch(0), "batchtopk.k", "was 0");
        rejected(() -> TestModels.batchTopK(CONFIG, new BatchTopKSae.BatchK.PerSample(9)), "batchtopk.k", "1..8", "was 9");
        rejected(() -> TestModels.batchTopK(CONFIG, new BatchTopKSae.BatchK.PerBatch(4), -0.1), "batchtopk.momentum", "-0.1");
        rejected(() -> TestModels.batchTopK(CONFIG, new BatchTopKSae.BatchK.PerBatch(4), 1.0), "batchtopk.momentum", "1.0");
    }

    @Test
    void jumpReluRejectsANonPositiveBandwidthAndUnknownKernels() {
        rejected(() -> TestModels.jump(CONFIG, JumpKernel.SILVERMAN, 0f), "jumprelu.bandwidth", "0.0");
        rejected(() -> TestModels.jump(CONFIG, JumpKernel.SILVERMAN, -1e-3f), "bandwidth");
        rejected(() -> JumpKernel.parse("boxcar"), "boxcar", "rectangle", "silverman");
    }

    @Test
    void pursuitsRejectBadStepsAndDropout() {
        rejected(() -> TestModels.mp(CONFIG, 0, null), "mp.k", "was 0");
        rejected(() -> TestModels.mp(CONFIG, 2, 1.0), "mp.dropout", "1.0");
        rejected(() -> TestModels.omp(CONFIG, 9, 10, null), "omp.k", "was 9");
        rejected(() -> TestModels.omp(CONFIG, 2, 0, null), "omp.max_iter", "was 0");
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
        rejected(() -> TestModels.msae(CONFIG, List.of(), 30), "msae.nesting", "at least one");
        rejected(() -> TestModels.msae(CONFIG, List.of(2, 9), 30), "msae.nesting", "1..8", "was [2, 9]");
        rejected(() -> TestModels.msae(CONFIG, List.of(2, 2), 30), "msae.nesting", "distinct");
        rejected(() -> TestModels.msae(CONFIG, List.of(2), -1), "msae.soft_cap", "-1");
        rejected(() -> TestModels.prefixMatryoshka(CONFIG, List.of(0, 4), new BatchTopKSae.BatchK.PerSample(2), 0.9),
                "matryoshka.prefixes", "was [0, 4]");
        rejected(() -> TestModels.prefixMatryoshka(CONFIG, List.of(4, 9), new BatchTopKSae.BatchK.PerSample(2), 0.9),
                "matryoshka.prefixes", "1..8", "was [4, 9]");
    }

    @Test
    void batchTopKEvaluationBeforeAnyTrainingForwardSaysWhatToDo() {
        BatchTopKSae m = TestModels.batchTopK(CONFIG, new BatchTopKSae.BatchK.PerBatch(4));
        m.eval();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.forward(Tensors.ones(DType.FLOAT32, 2, 4)));
        assertTrue(e.getMessage().contains("training-mode forward"), e.getMessage());
    }
}
