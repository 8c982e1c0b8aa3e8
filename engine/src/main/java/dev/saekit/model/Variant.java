package dev.saekit.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The SAE variants, by the names configs and the command line use. */
public enum Variant {
    VANILLA("vanilla", "ReLU codes, sparsity from the loss (mse_l1)"),
    TOPK("topk", "k largest codes per sample"),
    BATCHTOPK("batchtopk", "k codes per sample on average, chosen over the whole batch; running threshold in eval"),
    JUMPRELU("jumprelu", "learned per-concept thresholds with a kernel pseudo-derivative"),
    MP("mp", "matching pursuit: k greedy steps over the dictionary"),
    OMP("omp", "orthogonal matching pursuit: k steps with non-negative least squares"),
    MSAE("msae", "Matryoshka of the MSAE paper: nested k over one dictionary"),
    MATRYOSHKA("matryoshka", "Matryoshka over nested dictionary prefixes, BatchTopK codes");

    private final String label;
    private final String description;

    Variant(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** Parses a variant name; the error lists the accepted ones. */
    public static Variant parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('-', '_');
        for (Variant v : values()) {
            if (v.label.equals(n)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + name + "'; accepted: "
                + Arrays.stream(values()).map(Variant::label).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return label;
    }
}
