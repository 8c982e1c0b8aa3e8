package dev.saekit.golden;

import java.util.Optional;

/** Replays the procedure of golden cases of some model classes on the engine. */
interface GoldenReplayer {

    /** Null when this replayer handles the case, else why not. */
    Optional<String> unsupported(GoldenCase c);

    /** Runs the case's procedure and records every comparison in {@code check}. */
    void replay(GoldenCase c, GoldenCheck check) throws Exception;
}
