package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Close names for an error message about a name that does not exist. */
class NamesTest {

    @Test
    void closeNamesPreferThoseContainingTheNameThenTheFewestEdits() {
        List<String> names = List.of("p2o.Add.241", "p2o.Add.24", "p2o.Mul.241", "softmax_11.tmp_0", "p2o.Add.2410");
        // "Add.241" -> "p2o.Add.24": 4 insertions + 1 deletion = 5; -> "p2o.Mul.241": 4 insertions + 3 substitutions =
        // 7
        assertEquals(List.of("p2o.Add.241", "p2o.Add.2410", "p2o.Add.24"), Names.closest("Add.241", names, 3));
        assertEquals(List.of("p2o.Add.24", "p2o.Add.241"), Names.closest("p2o.Add.25", names, 2));
    }

    @Test
    void distanceCountsSingleCharacterEdits() {
        assertEquals(3, Names.distance("kitten", "sitting")); // k -> s, e -> i, + g
        assertEquals(0, Names.distance("", ""));
        assertEquals(4, Names.distance("", "tap0")); // four insertions
    }
}
