package dev.saekit.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The cells of a sweep, variant by variant, each variant's levels in the order given. A grid has at
 * least one cell and no cell twice. Build it with {@link #builder()}:
 *
 * <pre>{@code
 * SweepGrid grid = SweepGrid.builder()
 *         .k(TopKSpec.KIND, 8, 16, 32)
 *         .l1(VanillaSpec.KIND, 1e-4, 3e-4, 1e-3)
 *         .build();
 * }</pre>
 */
public record SweepGrid(List<SweepCell> cells) {

    public SweepGrid {
        cells = List.copyOf(cells);
        if (cells.isEmpty()) {
            throw new IllegalArgumentException("a sweep grid needs at least one variant with one level; it has none");
        }
        Set<String> seen = new HashSet<>();
        for (SweepCell c : cells) {
            if (!seen.add(c.id())) {
                throw new IllegalArgumentException(
                        "the sweep grid holds cell " + c.id() + " twice; give each level once");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The variants of the grid, in the order of their first cell. */
    public List<VariantKind> variants() {
        return cells.stream().map(SweepCell::variant).distinct().toList();
    }

    /** The cells of {@code variant}, in the grid's order. */
    public List<SweepCell> cells(VariantKind variant) {
        return cells.stream().filter(c -> c.variant().equals(variant)).toList();
    }

    /** {@code [{"variant": "topk", "level": "k", "values": [8, 16]}, ...]}: one entry per variant. */
    public ArrayNode toJson() {
        ArrayNode a = new ObjectMapper().createArrayNode();
        for (VariantKind v : variants()) {
            ObjectNode n = a.addObject();
            n.put("variant", v.name());
            n.put("level", LevelKind.of(v).label());
            ArrayNode values = n.putArray("values");
            for (SweepCell c : cells(v)) {
                if (c.level() instanceof SparsityLevel.K k) {
                    values.add(k.k());
                } else {
                    values.add(c.level().value());
                }
            }
        }
        return a;
    }

    /** The grid written by {@link #toJson()}; an {@link IllegalArgumentException} names the bad entry. */
    public static SweepGrid fromJson(JsonNode a) {
        if (a == null || !a.isArray()) {
            throw new IllegalArgumentException("grid: must be an array, was " + a);
        }
        Builder b = builder();
        for (int i = 0; i < a.size(); i++) {
            JsonNode n = a.get(i);
            String where = "grid[" + i + "]";
            if (!n.path("variant").isTextual()
                    || !n.path("level").isTextual()
                    || !n.path("values").isArray()) {
                throw new IllegalArgumentException(where + ": needs \"variant\", \"level\" and \"values\", was " + n);
            }
            VariantKind kind = VariantSpec.kind(n.get("variant").asText());
            LevelKind level = LevelKind.parse(n.get("level").asText());
            List<SparsityLevel> levels = new ArrayList<>();
            for (JsonNode v : n.get("values")) {
                if (!v.isNumber()) {
                    throw new IllegalArgumentException(where + ".values: must be numbers, was " + v);
                }
                levels.add(level.level(v.asDouble()));
            }
            b.add(kind, levels);
        }
        return b.build();
    }

    /** Variants and their levels, in the order added; {@link #build()} checks them. */
    public static final class Builder {
        private final Map<VariantKind, List<SparsityLevel>> levels = new LinkedHashMap<>();

        private Builder() {}

        /** {@code variant} at each of {@code levels} (added to those it already has). */
        public Builder add(VariantKind variant, List<? extends SparsityLevel> levels) {
            if (levels.isEmpty()) {
                throw new IllegalArgumentException("variant " + variant.name() + " is given no sparsity level");
            }
            this.levels.computeIfAbsent(variant, v -> new ArrayList<>()).addAll(levels);
            return this;
        }

        /** {@code variant} (swept by k) at each k. */
        public Builder k(VariantKind variant, int... ks) {
            List<SparsityLevel> l = new ArrayList<>();
            for (int k : ks) {
                l.add(new SparsityLevel.K(k));
            }
            return add(variant, l);
        }

        /** {@code variant} (swept by its L1 coefficient) at each coefficient. */
        public Builder l1(VariantKind variant, double... coefficients) {
            List<SparsityLevel> l = new ArrayList<>();
            for (double c : coefficients) {
                l.add(new SparsityLevel.L1(c));
            }
            return add(variant, l);
        }

        /** The grid; every level must be of the kind its variant is swept by. */
        public SweepGrid build() {
            List<SweepCell> cells = new ArrayList<>();
            levels.forEach((variant, ls) -> ls.forEach(l -> cells.add(new SweepCell(variant, l))));
            return new SweepGrid(cells);
        }
    }
}
