package dev.saekit.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.InvalidSettingException;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import dev.saekit.train.AuxKLoss;
import dev.saekit.train.Loss;
import dev.saekit.train.Losses;
import dev.saekit.train.MatryoshkaLoss;
import dev.saekit.train.listeners.DeadCodeTracker;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One cell of a sweep: a variant at one sparsity level. Every other setting of the variant is the
 * engine's default ({@link VariantKind#defaults()}). A k level sets the variant's {@code k} (the
 * pursuit steps of mp and omp); for msae, whose k is a list of nested levels, it sets the nesting
 * {@code k/4, k/2, k} (those >= 1). An L1 level is the coefficient of the loss {@code mse_l1}.
 *
 * @param variant the variant
 * @param level   its level, of the kind the variant is swept by ({@link LevelKind#of})
 */
public record SweepCell(VariantKind variant, SparsityLevel level) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public SweepCell {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(level, "level");
        LevelKind expected = LevelKind.of(variant);
        if (level.kind() != expected) {
            throw new IllegalArgumentException("variant " + variant.name() + " is swept by "
                    + (expected == LevelKind.K ? "k (codes per row)" : "l1 (the L1 coefficient of its loss)")
                    + ", not by " + level.label());
        }
    }

    /**
     * The cell's name, also its directory under {@code cells/}: the variant, the level's kind and
     * value, {@code topk-k16}, {@code vanilla-l1-3e-4}.
     */
    public String id() {
        return variant.name() + "-" + level.kind().label() + (level.kind() == LevelKind.L1 ? "-" : "") + level.text();
    }

    /** {@code topk k=16}: for tables and progress lines. */
    public String label() {
        return variant.name() + " " + level.label();
    }

    /**
     * The variant's spec for a model of {@code config}: its defaults with this cell's k; an
     * {@link InvalidSettingException} names the setting a k out of range breaks.
     */
    public VariantSpec variantSpec(SaeConfig config) {
        ObjectNode n = VariantSpec.toJson(variant.defaults().apply(config), JSON.createObjectNode());
        if (level instanceof SparsityLevel.K k) {
            if (variant.reads("k")) {
                n.put("k", k.k());
            } else {
                ArrayNode nesting = n.putArray("nesting");
                new TreeSet<>(java.util.List.of(k.k() / 4, k.k() / 2, k.k()))
                        .stream().filter(v -> v >= 1).forEach(nesting::add);
            }
        }
        return VariantSpec.fromJson(n, "cell " + id());
    }

    /** The spec of this cell's model: {@code config}'s shape, this cell's variant, the standard dictionary and encoder. */
    public ModelSpec modelSpec(SaeConfig config) {
        return ModelSpec.of(config, variantSpec(config));
    }

    /**
     * The loss this cell trains with, as {@code saekit train} chooses it by default: the uniform
     * nested MSE for the Matryoshkas, {@code mse_l1} with this cell's coefficient for an L1 level,
     * else MSE; plus AuxK (SAELens's, coefficient 1/32, dead after one silent epoch) for the variants
     * that pick their codes by top-k when {@code auxK}.
     */
    public Loss loss(boolean auxK) {
        VariantSpec spec = variant.defaults().apply(SaeConfig.of(1, 64)); // the kind's nature, not its size
        Loss base = spec.nested()
                ? MatryoshkaLoss.uniform(MatryoshkaLoss.Kind.MSE)
                : level instanceof SparsityLevel.L1 l1 ? Losses.mseL1(l1.coefficient()) : Losses.mse();
        if (auxK && spec.selectsTopK()) {
            return base.plus(new AuxKLoss(
                    new DeadCodeTracker(DeadCodeTracker.AUXK_STATE, 0), 0, 1.0 / 32, AuxKLoss.Flavor.SAELENS));
        }
        return base;
    }

    @Override
    public String toString() {
        return id();
    }
}
