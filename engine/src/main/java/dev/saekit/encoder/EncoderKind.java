package dev.saekit.encoder;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The built-in encoder architectures, named as in overcomplete's encoder factory.
 * {@code mlp_*_1} is Linear, Norm, ReLU; {@code mlp_*_3} puts two hidden blocks
 * Linear(d, d), Norm, ReLU in front of it.
 */
public enum EncoderKind {
    /** Pre-codes and codes are the input itself (matching pursuit). */
    IDENTITY("identity", 0, NormKind.NONE),
    /** {@code z = relu(x W^T + b)}: the default. */
    LINEAR("linear", 1, NormKind.NONE),
    MLP_LN_1("mlp_ln_1", 1, NormKind.LAYER),
    MLP_LN_3("mlp_ln_3", 3, NormKind.LAYER),
    MLP_BN_1("mlp_bn_1", 1, NormKind.BATCH),
    MLP_BN_3("mlp_bn_3", 3, NormKind.BATCH);

    private final String label;
    private final int blocks;
    private final NormKind norm;

    EncoderKind(String label, int blocks, NormKind norm) {
        this.label = label;
        this.blocks = blocks;
        this.norm = norm;
    }

    public String label() {
        return label;
    }

    /** Blocks of Linear and Norm, the last one mapping to the concepts. */
    public int blocks() {
        return blocks;
    }

    public NormKind norm() {
        return norm;
    }

    public static EncoderKind parse(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('-', '_');
        for (EncoderKind k : values()) {
            if (k.label.equals(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown encoder '" + name + "'; accepted: "
                + Arrays.stream(values()).map(EncoderKind::label).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return label;
    }

    /** The normalisation layer after each Linear layer. */
    public enum NormKind {
        NONE,
        LAYER,
        BATCH
    }
}
