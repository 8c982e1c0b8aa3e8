package dev.saekit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.api.Test;

/** The learning-rate factor of each schedule at known steps (0-based steps of a run). */
class ScheduleTest {
    /** A factor is a few roundings (progress, cosine, the affine map to [floor, 1]) of values up to 1. */
    private static final double FACTOR = Tolerance.f64(1, 6);

    @Test
    void constantIsOneEverywhere() {
        Schedule s = Schedule.constant();
        assertEquals(1.0, s.factor(0, 100), 0.0);
        assertEquals(1.0, s.factor(99, 100), 0.0);
    }

    @Test
    void cosineWarmsUpLinearlyThenFollowsHalfACosineToItsFloor() {
        // 100 steps, warm-up 10% = 10 steps: factor (step + 1) / 10 for steps 0..9
        // then progress = (step - 10) / 90 and factor = 0.1 + 0.9 * (1 + cos(pi * progress)) / 2
        Schedule s = Schedule.cosine(0.1, 0.1);
        assertEquals(0.1, s.factor(0, 100), FACTOR);
        assertEquals(0.5, s.factor(4, 100), FACTOR);
        assertEquals(1.0, s.factor(9, 100), FACTOR);
        assertEquals(1.0, s.factor(10, 100), FACTOR);
        assertEquals(0.55, s.factor(55, 100), FACTOR); // progress 1/2: 0.1 + 0.9 * 0.5
        assertEquals(0.1 + 0.9 * 0.75, s.factor(40, 100), FACTOR); // progress 1/3: cos = 1/2
        assertEquals(0.1, s.factor(100, 100), FACTOR);
        assertEquals(0.1, s.factor(150, 100), FACTOR, "past the end it stays at the floor");
    }

    @Test
    void cosineWithoutWarmUpStartsAtOne() {
        Schedule s = Schedule.cosine(0.0, 0.0);
        assertEquals(1.0, s.factor(0, 4), FACTOR);
        assertEquals(0.5, s.factor(2, 4), FACTOR);
        assertEquals(0.0, s.factor(4, 4), FACTOR);
    }

    @Test
    void linearDecayWarmsUpThenFallsInAStraightLine() {
        // 10 steps, warm-up 20% = 2 steps: 0.5, 1.0; then 1 - 0.5 * (step - 2) / 8
        Schedule s = Schedule.linearDecay(0.2, 0.5);
        assertEquals(0.5, s.factor(0, 10), FACTOR);
        assertEquals(1.0, s.factor(1, 10), FACTOR);
        assertEquals(1.0, s.factor(2, 10), FACTOR);
        assertEquals(0.75, s.factor(6, 10), FACTOR);
        assertEquals(0.5, s.factor(10, 10), FACTOR);
    }

    @Test
    void schedulesParseByNameAndRejectBadSettingsByField() {
        assertEquals(Schedule.cosine(0.05, 0.0), Schedule.parse("Cosine", 0.05, 0.0));
        assertEquals(Schedule.linearDecay(0.0, 0.1), Schedule.parse("linear", 0.0, 0.1));
        assertEquals(Schedule.constant(), Schedule.parse("constant", 0.3, 0.3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.parse("step", 0, 0));
        assertEquals("unknown schedule 'step'; accepted: constant, cosine, linear", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(1.0, 0.0));
        assertEquals("warmupFraction must be in [0, 1), was 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedule.linearDecay(0.0, 1.5));
        assertEquals("endFactor must be in [0, 1], was 1.5", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(0.0, Double.NaN));
        assertEquals("minFactor must be in [0, 1], was NaN", e.getMessage());
    }
}
