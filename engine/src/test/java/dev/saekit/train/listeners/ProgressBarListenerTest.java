package dev.saekit.train.listeners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.TestModels;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import dev.saekit.train.StepState;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The progress bar names the epoch each step is in; a log gets one line per epoch. */
class ProgressBarListenerTest {

    @Test
    void theBarsMessageFollowsTheEpochOfEachStep() {
        // the bar's task name is fixed when it is built: the epoch must be in the per-step message
        for (int epoch = 0; epoch < 3; epoch++) {
            StepState s = new StepState(epoch, 5L * epoch + 2, 2, 5, 15, 0.5, 0.25, 4, 1, 1e-3, null);
            assertEquals(
                    String.format(" epoch %d/3  loss 0.5000  R² 0.250  L0 4.0", epoch + 1),
                    ProgressBarListener.message(s, 3));
        }
    }

    @Test
    void aLogGetsOneLinePerEpoch() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        InMemoryDataset data = InMemoryDataset.of(new SeededRandom(1).normal(DType.FLOAT32, 1.0, 64, 4), "random");
        new Trainer(TrainingConfig.builder().epochs(3).batchSize(16).build(), new ProgressBarListener(out, false))
                .fit(TestModels.topK(SaeConfig.of(4, 8), 2), data);
        String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(3, lines.length, String.join("\n", lines));
        for (int epoch = 1; epoch <= 3; epoch++) {
            assertTrue(lines[epoch - 1].startsWith("epoch " + epoch + "/3  loss "), lines[epoch - 1]);
        }
    }
}
