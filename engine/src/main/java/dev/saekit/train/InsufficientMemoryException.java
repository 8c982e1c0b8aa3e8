package dev.saekit.train;

/**
 * A training run would need more memory than this process may use ({@link MemoryEstimate#check});
 * thrown before the first step. The message names the estimate by part, the limit and where it
 * comes from, and what to change.
 */
public final class InsufficientMemoryException extends IllegalStateException {
    private final long neededBytes;
    private final long availableBytes;

    public InsufficientMemoryException(long neededBytes, long availableBytes, String message) {
        super(message);
        this.neededBytes = neededBytes;
        this.availableBytes = availableBytes;
    }

    /** The estimated peak of the run, in bytes. */
    public long neededBytes() {
        return neededBytes;
    }

    /** The smallest limit found, in bytes. */
    public long availableBytes() {
        return availableBytes;
    }
}
