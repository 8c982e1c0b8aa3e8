package dev.saekit.cli;

import dev.saekit.tensor.MemoryBudget;

/**
 * The one line an out-of-memory failure becomes: JavaCPP's refusal of a native allocation above
 * the cap {@link SaekitCli#main} sets ({@link MemoryBudget#limitJavaCpp}), however ND4J wraps it,
 * or a full Java heap.
 */
final class OutOfMemory {
    private OutOfMemory() {}

    /** The first {@link OutOfMemoryError} in {@code t}'s chain of causes ({@code t} included), or null. */
    static OutOfMemoryError in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof OutOfMemoryError e) {
                return e;
            }
        }
        return null;
    }

    /**
     * {@code out of memory (WHAT WAS REFUSED); WHAT TO DO} for {@code e}: the innermost
     * out-of-memory message of its chain (ND4J wraps JavaCPP's), and which limit to raise.
     */
    static String describe(OutOfMemoryError e) {
        String message = String.valueOf(e.getMessage());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof OutOfMemoryError && c.getMessage() != null) {
                message = c.getMessage();
            }
        }
        boolean heap = message.contains("Java heap") || message.contains("GC overhead");
        String limit = heap
                ? "the Java heap: -Xmx"
                : "-D" + MemoryBudget.JAVACPP_MAX_PHYSICAL_BYTES + "=SIZE (saekit sets it from the memory it finds)";
        return "out of memory (" + message + "); use a smaller batch, fewer concepts or float32 instead of float64, "
                + "or give the process more memory and raise " + limit;
    }
}
