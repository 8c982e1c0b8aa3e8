package dev.saekit.sweep;

/**
 * A sweep resumed with a shared setting (or data) other than the one its directory was made with:
 * names the setting by its path in {@code sweep.json} ({@code concepts},
 * {@code training.optimizer.learning_rate}, {@code data.rows}) and both values. Cells trained with
 * other settings would not lie on one frontier.
 */
public final class SweepMismatchException extends IllegalArgumentException {
    private final String setting;
    private final String recorded;
    private final String given;

    public SweepMismatchException(String manifest, String setting, String recorded, String given) {
        super(manifest + " was made with " + setting + " = " + recorded + ", and this sweep has " + setting + " = "
                + given + "; a resumed sweep keeps every shared setting and its data (only the grid may change): "
                + "give the same settings, or a new directory");
        this.setting = setting;
        this.recorded = recorded;
        this.given = given;
    }

    /** The setting's path in {@code sweep.json}: {@code concepts}, {@code training.batch_size}, {@code data.rows}. */
    public String setting() {
        return setting;
    }

    /** The value {@code sweep.json} holds, as JSON text. */
    public String recorded() {
        return recorded;
    }

    /** The value of the sweep being run, as JSON text. */
    public String given() {
        return given;
    }
}
