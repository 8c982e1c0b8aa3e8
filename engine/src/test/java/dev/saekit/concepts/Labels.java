package dev.saekit.concepts;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Misra-Gries guarantee, checked against true label counts. */
final class Labels {
    private Labels() {}

    /**
     * Every kept count is at most the truth and at least the truth minus {@code error}; a label not
     * kept occurs at most {@code error} times; at most {@code slots} labels are kept.
     */
    static void withinBounds(Map<Integer, Long> truth, List<LabelCount> got, long error, int slots, String what) {
        assertTrue(got.size() <= slots, what + " keeps " + got.size() + " labels");
        Set<Integer> kept = new HashSet<>();
        for (LabelCount l : got) {
            long t = truth.getOrDefault(l.label(), 0L);
            assertTrue(
                    l.count() <= t && t <= l.count() + error,
                    what + " label " + l.label() + ": count " + l.count() + ", truth " + t + ", error " + error);
            kept.add(l.label());
        }
        for (Map.Entry<Integer, Long> e : truth.entrySet()) {
            if (!kept.contains(e.getKey())) {
                assertTrue(
                        e.getValue() <= error,
                        what + " dropped label " + e.getKey() + " of count " + e.getValue() + " > error " + error);
            }
        }
    }
}
