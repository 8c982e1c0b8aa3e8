package dev.saekit.parallel;

/**
 * A collective sum that could not complete: a worker was lost or stopped answering. The message
 * names the worker and what was under way; the run cannot go on (its workers no longer agree) and
 * resumes from its last checkpoint.
 */
public final class CollectiveException extends RuntimeException {
    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }

    public CollectiveException(String message) {
        super(message);
    }
}
