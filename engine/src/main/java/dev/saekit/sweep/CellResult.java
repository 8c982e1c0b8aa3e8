package dev.saekit.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.model.VariantSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What one trained cell measured over the whole data set, in evaluation mode: its row of
 * {@code frontier.csv} (see {@link FrontierCsv} for the columns).
 *
 * @param cell              the variant and its level
 * @param concepts          the model's number of concepts
 * @param l0                mean count per row of codes with {@code |z| >= 1e-6}: the cell's place on the frontier
 * @param fvu               fraction of variance unexplained (per-dimension mean)
 * @param explainedVariance {@code 1 - fvu}
 * @param deadFraction      fraction of concepts that never fired on the data
 * @param trainSeconds      wall-clock seconds of training
 * @param downstream        the {@link DownstreamEvaluator}'s columns, by name in alphabetical order (empty without one)
 */
public record CellResult(
        SweepCell cell,
        int concepts,
        double l0,
        double fvu,
        double explainedVariance,
        double deadFraction,
        double trainSeconds,
        Map<String, Double> downstream) {

    /** What a downstream column may be called: lower case, digits and underscores, starting with a letter. */
    static final Pattern COLUMN_NAME = Pattern.compile("[a-z][a-z0-9_]*");

    public CellResult {
        Objects.requireNonNull(cell, "cell");
        Map<String, Double> copy = new TreeMap<>(); // one order, whatever map the evaluator returns
        downstream.forEach((name, value) -> {
            if (name == null || !COLUMN_NAME.matcher(name).matches() || FrontierCsv.COLUMNS.contains(name)) {
                throw new IllegalArgumentException("downstream column '" + name + "' of cell " + cell.id()
                        + ": a name must be lower case letters, digits and '_', start with a letter and not be one of "
                        + FrontierCsv.COLUMNS);
            }
            copy.put(name, Objects.requireNonNull(value, () -> "downstream column '" + name + "' is null"));
        });
        downstream = Collections.unmodifiableMap(copy);
    }

    /** The value of a column of {@code frontier.csv} ({@code l0}, {@code fvu}, a downstream column...); NaN when absent. */
    public double value(String column) {
        return switch (column) {
            case "level_value" -> cell.level().value();
            case "concepts" -> concepts;
            case "l0" -> l0;
            case "fvu" -> fvu;
            case "explained_variance" -> explainedVariance;
            case "dead_fraction" -> deadFraction;
            case "train_seconds" -> trainSeconds;
            default -> downstream.getOrDefault(column, Double.NaN);
        };
    }

    /** The {@code result.json} form: the cell, every metric, and {@code downstream} as an object. */
    public ObjectNode toJson() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("cell", cell.id());
        n.put("variant", cell.variant().name());
        n.put("level", cell.level().kind().label());
        n.put("level_value", cell.level().value());
        n.put("concepts", concepts);
        n.put("l0", l0);
        n.put("fvu", fvu);
        n.put("explained_variance", explainedVariance);
        n.put("dead_fraction", deadFraction);
        n.put("train_seconds", trainSeconds);
        ObjectNode d = n.putObject("downstream");
        downstream.forEach(d::put);
        return n;
    }

    /** The result written by {@link #toJson()}; an {@link IllegalArgumentException} names what is wrong. */
    public static CellResult fromJson(JsonNode n) {
        for (String f : new String[] {
            "variant",
            "level",
            "level_value",
            "concepts",
            "l0",
            "fvu",
            "explained_variance",
            "dead_fraction",
            "train_seconds"
        }) {
            if (n == null || !n.has(f)) {
                throw new IllegalArgumentException("missing field '" + f + "'");
            }
        }
        SweepCell cell = new SweepCell(
                VariantSpec.kind(n.get("variant").asText()),
                LevelKind.parse(n.get("level").asText()).level(number(n, "level_value")));
        Map<String, Double> downstream = new LinkedHashMap<>();
        n.path("downstream")
                .fields()
                .forEachRemaining(e -> downstream.put(e.getKey(), e.getValue().asDouble()));
        return new CellResult(
                cell,
                n.get("concepts").asInt(),
                number(n, "l0"),
                number(n, "fvu"),
                number(n, "explained_variance"),
                number(n, "dead_fraction"),
                number(n, "train_seconds"),
                downstream);
    }

    /** A number, or NaN and the infinities that Jackson writes as strings. */
    private static double number(JsonNode n, String field) {
        JsonNode f = n.get(field);
        if (f.isNumber()) {
            return f.asDouble();
        }
        if (f.isTextual()) {
            return switch (f.asText()) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException("field '" + field + "' must be a number, was " + f);
            };
        }
        throw new IllegalArgumentException("field '" + field + "' must be a number, was " + f);
    }
}
