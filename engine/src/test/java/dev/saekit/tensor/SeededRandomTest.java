package dev.saekit.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SeededRandomTest {

    /** SplitMix64's first output for seed 0 (the published reference value). */
    @Test
    void matchesSplitMix64() {
        assertEquals(0xE220A8397B1DCDAFL, new SeededRandom(0).nextLong());
    }

    @Test
    void aSavedStateResumesTheSameStream() {
        SeededRandom a = new SeededRandom(42);
        for (int i = 0; i < 5; i++) {
            a.nextDouble();
        }
        SeededRandom b = new SeededRandom(99);
        b.setState(a.state());
        for (int i = 0; i < 10; i++) {
            assertEquals(a.nextLong(), b.nextLong());
        }
    }

    @Test
    void drawsStayInRangeAndLookUniform() {
        SeededRandom r = new SeededRandom(1);
        int[] counts = new int[10];
        double sum = 0;
        for (int i = 0; i < 100_000; i++) {
            double u = r.nextDouble();
            assertTrue(u >= 0 && u < 1);
            sum += u;
            counts[r.nextInt(10)]++;
        }
        assertEquals(0.5, sum / 100_000, 0.01);
        for (int c : counts) {
            assertEquals(10_000, c, 500, Arrays.toString(counts));
        }
    }

    @Test
    void derivedStreamsDifferFromEachOtherAndTheParent() {
        SeededRandom r = new SeededRandom(5);
        assertNotEquals(r.derive(1).nextLong(), r.derive(2).nextLong());
        assertNotEquals(new SeededRandom(5).nextLong(), r.derive(1).nextLong());
        int[] p = new SeededRandom(3).permutation(50);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
    }
}
