package dev.saekit.train.listeners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.train.EpochSummary;
import dev.saekit.train.StepState;
import dev.saekit.train.listeners.MetricHistory.StepMetric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metric history: what it records, and its CSV files written and read back exactly. */
class MetricHistoryTest {

    private static StepState step(long n, int epoch, double loss, double r2, double l0, double gradNorm, double lr) {
        return new StepState(epoch, n, (int) n, 3, 6, loss, r2, l0, gradNorm, lr, null);
    }

    private static MetricHistory history() {
        MetricHistory h = new MetricHistory();
        // awkward doubles: shortest round-trip text, a sub-normal, NaN and infinities survive
        h.onStep(step(1, 0, 0.1 + 0.2, -0.5, 12.25, Double.NaN, 5e-4));
        h.onStep(step(2, 0, 1e-300, Double.MIN_VALUE, 0, Double.POSITIVE_INFINITY, 1.0 / 3));
        h.onEpochEnd(new EpochSummary(0, Math.PI, 0.999, 3.5, 0.125, 0.01));
        h.onStep(step(3, 1, -0.0, 1, 2, 3, 4));
        return h;
    }

    @Test
    void writeThenReadGivesAnEqualHistory(@TempDir Path dir) throws IOException {
        MetricHistory h = history();
        h.write(dir);
        MetricHistory back = MetricHistory.read(dir);
        assertEquals(h.steps(), back.steps());
        assertEquals(h.epochs(), back.epochs());
        assertEquals(
                MetricHistory.STEPS_HEADER,
                Files.readAllLines(dir.resolve("steps.csv")).get(0));
        assertTrue(Files.notExists(dir.resolve("steps.csv.tmp")), "the temporary file is moved into place");
    }

    @Test
    void seriesListsOneMetricOverAllSteps() {
        MetricHistory h = history();
        assertArrayEquals(new double[] {0.1 + 0.2, 1e-300, -0.0}, h.series(StepMetric.LOSS), 0.0);
        assertArrayEquals(new double[] {5e-4, 1.0 / 3, 4}, h.series(StepMetric.LEARNING_RATE), 0.0);
    }

    @Test
    void aStepMetricIsReadByItsColumnNameAndAnUnknownNameListsTheAcceptedOnes() {
        MetricHistory h = history();
        assertArrayEquals(h.series(StepMetric.GRAD_NORM), h.series(StepMetric.parse("grad_norm")), 0.0);
        assertEquals("lr", StepMetric.LEARNING_RATE.toString(), "prints as its column");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StepMetric.parse("accuracy"));
        assertEquals("unknown step metric 'accuracy'; accepted: loss, r2, l0, grad_norm, lr", e.getMessage());
    }

    @Test
    void theStepMetricsAreTheColumnsOfStepsCsvAfterStepAndEpoch() {
        String columns =
                Arrays.stream(StepMetric.values()).map(StepMetric::column).collect(Collectors.joining(","));
        assertEquals(MetricHistory.STEPS_HEADER, "step,epoch," + columns);
    }

    @Test
    void aFileWithoutTheHeaderIsNotAMetricHistory(@TempDir Path dir) throws IOException {
        history().write(dir);
        Files.writeString(dir.resolve("steps.csv"), "a,b,c\n1,2,3\n");
        IOException e = assertThrows(IOException.class, () -> MetricHistory.read(dir));
        assertTrue(
                e.getMessage().contains("steps.csv is not a saekit metric history")
                        && e.getMessage().contains(MetricHistory.STEPS_HEADER),
                e.getMessage());
    }

    @Test
    void aLineWithTheWrongNumberOfFieldsIsNamed(@TempDir Path dir) throws IOException {
        history().write(dir);
        Files.writeString(dir.resolve("epochs.csv"), MetricHistory.EPOCHS_HEADER + "\n0,1,2,3,4,5\n0,1,2\n");
        IOException e = assertThrows(IOException.class, () -> MetricHistory.read(dir));
        assertTrue(e.getMessage().endsWith("epochs.csv line 3 has 3 fields, expected 6"), e.getMessage());
    }

    @Test
    void aFieldThatIsNotANumberIsNamedWithItsLine(@TempDir Path dir) throws IOException {
        history().write(dir);
        Files.writeString(dir.resolve("steps.csv"), MetricHistory.STEPS_HEADER + "\n1,0,0.5,x,1,1,1\n");
        IOException e = assertThrows(IOException.class, () -> MetricHistory.read(dir));
        assertTrue(e.getMessage().endsWith("steps.csv line 2: r2 is not a number: 'x'"), e.getMessage());
    }

    @Test
    void aMissingFileIsAnIoError(@TempDir Path dir) {
        assertThrows(IOException.class, () -> MetricHistory.read(dir.resolve("nothing here")));
    }

    @Test
    void stepsKeepTheRunsNumbering() {
        // the trainer numbers steps over the whole run (a second fit or a resume continues them)
        MetricHistory h = new MetricHistory();
        h.onStep(step(1, 0, 1, 0, 0, 0, 0));
        h.onStep(step(2, 0, 1, 0, 0, 0, 0));
        h.onStep(step(3, 0, 1, 0, 0, 0, 0));
        assertEquals(3, h.steps().get(2).step());
    }
}
