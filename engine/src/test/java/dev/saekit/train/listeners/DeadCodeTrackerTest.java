package dev.saekit.train.listeners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.saekit.model.SaeOutput;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import dev.saekit.train.StepState;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Dead codes: concepts that never fire in a window (an epoch, or a number of steps). */
class DeadCodeTrackerTest {
    // concept 0 fires in row 1, concept 1 in row 0, concepts 2 and 3 never
    private static final INDArray FIRST = codes(new double[][] {{0, 1, 0, 0}, {2, 0, 0, 0}});
    // concept 2 fires (negative codes count as firing), concept 3 never
    private static final INDArray SECOND = codes(new double[][] {{0, 0, -0.5, 0}, {0, 0, 0, 0}});

    private static INDArray codes(double[][] rows) {
        return Tensors.matrix(DType.FLOAT32, rows);
    }

    private static StepState step(long n, INDArray codes) {
        return new StepState(0, n, (int) n, 10, 10, 0, 0, 0, 0, 0, new SaeOutput(codes, codes, null));
    }

    @Test
    void anEpochWindowMarksTheConceptsThatNeverFired() {
        DeadCodeTracker t = new DeadCodeTracker();
        t.onStep(step(1, FIRST));
        // before any window closes, the current window is reported: 2 of 4 silent so far
        assertEquals(0.5, t.deadFraction(), 0.0);
        assertArrayEquals(new boolean[4], t.deadMask());
        t.onStep(step(2, SECOND));
        t.onEpochEnd(null);
        assertArrayEquals(new boolean[] {false, false, false, true}, t.deadMask());
        assertEquals(0.25, t.deadFraction(), 0.0);
    }

    @Test
    void theLastClosedWindowStaysReadableWhileTheNextFills() {
        DeadCodeTracker t = new DeadCodeTracker();
        t.onStep(step(1, FIRST));
        t.onEpochEnd(null); // dead: 2, 3
        t.onStep(step(2, SECOND));
        assertArrayEquals(new boolean[] {false, false, true, true}, t.deadMask());
        t.onEpochEnd(null); // dead: 0, 1, 3
        assertArrayEquals(new boolean[] {true, true, false, true}, t.deadMask());
        assertEquals(0.75, t.deadFraction(), 0.0);
    }

    @Test
    void aStepWindowClosesEveryNSteps() {
        DeadCodeTracker t = new DeadCodeTracker(2);
        t.onStep(step(1, FIRST));
        t.onStep(step(2, FIRST)); // closes: dead 2, 3
        assertArrayEquals(new boolean[] {false, false, true, true}, t.deadMask());
        t.onStep(step(3, SECOND));
        t.onEpochEnd(null); // epochs do not close step windows
        assertArrayEquals(new boolean[] {false, false, true, true}, t.deadMask());
        t.onStep(step(4, SECOND)); // closes: dead 0, 1, 3
        assertArrayEquals(new boolean[] {true, true, false, true}, t.deadMask());
    }

    @Test
    void aNegativeWindowIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DeadCodeTracker(-1));
        assertEquals("windowSteps must be >= 0, was -1", e.getMessage());
    }

    @Test
    void nothingIsDeadBeforeAnyCodeWasSeen() {
        assertEquals(0.0, new DeadCodeTracker().deadFraction(), 0.0);
        assertArrayEquals(new boolean[0], new DeadCodeTracker().deadMask());
    }

    @Test
    void aFrozenTrackerKeepsItsMaskWhateverFires() {
        boolean[] mask = {true, false, true, false};
        DeadCodeTracker t = DeadCodeTracker.frozen(DeadCodeTracker.AUXK_STATE, mask);
        mask[0] = false; // the tracker keeps its own copy
        assertEquals(true, t.isFrozen());
        assertArrayEquals(new boolean[] {true, false, true, false}, t.deadMask());
        t.onStep(step(1, FIRST)); // concept 0 fires: still dead
        t.onStep(step(2, SECOND));
        t.onEpochEnd(null);
        assertArrayEquals(new boolean[] {true, false, true, false}, t.deadMask());
        assertEquals(0.5, t.deadFraction(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> DeadCodeTracker.frozen("s", new boolean[0]));
    }
}
