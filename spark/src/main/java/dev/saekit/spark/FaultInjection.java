package dev.saekit.spark;

import dev.saekit.train.StepState;
import dev.saekit.train.TrainingListener;
import java.util.Optional;

/**
 * A worker that stops on purpose, for the tests of a lost worker: with the system property
 * {@code saekit.spark.fail=RANK:STEP} in the executor's JVM, worker {@code RANK} throws after
 * completing step {@code STEP}, as if its executor had died there (its connections close, its
 * neighbours' sums fail). Unset, nothing happens.
 */
final class FaultInjection {
    static final String PROPERTY = "saekit.spark.fail";

    /**
     * With {@code saekit.spark.fail.part=N}, harvest part {@code N} stops after publishing its files
     * to a file system URI but before its {@code part.json}, as if its executor had died there.
     */
    static final String PART_PROPERTY = "saekit.spark.fail.part";

    private FaultInjection() {}

    /** Throws if {@link #PART_PROPERTY} names harvest part {@code part}. */
    static void beforeCommit(int part) {
        String v = System.getProperty(PART_PROPERTY);
        if (v != null && Integer.parseInt(v.trim()) == part) {
            throw new IllegalStateException("part " + part + " stopped before its part.json (" + PART_PROPERTY
                    + ", a test of a lost executor)");
        }
    }

    /** The listener that fails worker {@code rank} where the property says, if it names this worker. */
    static Optional<TrainingListener> at(int rank) {
        String v = System.getProperty(PROPERTY);
        if (v == null || !v.contains(":")) {
            return Optional.empty();
        }
        int worker = Integer.parseInt(v.substring(0, v.indexOf(':')).trim());
        long step = Long.parseLong(v.substring(v.indexOf(':') + 1).trim());
        if (worker != rank) {
            return Optional.empty();
        }
        return Optional.of(new TrainingListener() {
            @Override
            public void onStep(StepState state) {
                if (state.step() == step) {
                    throw new IllegalStateException("worker " + rank + " stopped at step " + step + " (" + PROPERTY
                            + ", a test of a lost worker)");
                }
            }
        });
    }
}
