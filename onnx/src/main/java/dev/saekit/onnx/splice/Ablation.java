package dev.saekit.onnx.splice;

/** What replaces the tapped rows in a run of the spliced model. */
public enum Ablation {
    /** The SAE's reconstruction of each row. */
    SPLICE,
    /** Zeros. */
    ZERO,
    /** The mean row (of the evaluated tokens, or one given). */
    MEAN;

    /** {@code splice}, {@code zero}, {@code mean}: the names reports use. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
