package dev.saekit.train;

/** Training produced a non-finite loss or gradient; the message says where and what to try. */
public final class TrainingDivergedException extends RuntimeException {
    private final long step;

    public TrainingDivergedException(long step, String message) {
        super(message);
        this.step = step;
    }

    /** The step whose update was refused. */
    public long step() {
        return step;
    }
}
