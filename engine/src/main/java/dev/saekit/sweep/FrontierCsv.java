package dev.saekit.sweep;

import dev.saekit.files.AtomicFiles;
import dev.saekit.io.MalformedFileException;
import dev.saekit.model.VariantSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code frontier.csv}: one row per trained cell, in the grid's order, comma-separated with a
 * header. The columns:
 *
 * <table>
 *   <caption>frontier.csv</caption>
 *   <tr><td>{@code cell}</td><td>the cell's name, its directory under {@code cells/} ({@code topk-k16})</td></tr>
 *   <tr><td>{@code variant}</td><td>the variant ({@code topk}, {@code vanilla}, ...)</td></tr>
 *   <tr><td>{@code level}</td><td>{@code k} (codes per row) or {@code l1} (the L1 coefficient of the loss)</td></tr>
 *   <tr><td>{@code level_value}</td><td>the k or the coefficient</td></tr>
 *   <tr><td>{@code concepts}</td><td>number of concepts</td></tr>
 *   <tr><td>{@code l0}</td><td>measured mean count per row of codes with {@code |z| >= 1e-6}: the x of the frontier</td></tr>
 *   <tr><td>{@code fvu}</td><td>fraction of variance unexplained</td></tr>
 *   <tr><td>{@code explained_variance}</td><td>{@code 1 - fvu}</td></tr>
 *   <tr><td>{@code dead_fraction}</td><td>fraction of concepts that never fired on the data</td></tr>
 *   <tr><td>{@code train_seconds}</td><td>wall-clock seconds of training</td></tr>
 *   <tr><td>any further column</td><td>a {@link DownstreamEvaluator}'s, such as {@code fraction_recovered},
 *       in alphabetical order; empty where a cell has no value</td></tr>
 * </table>
 *
 * Numbers are written in full ({@link Double#toString}), so a file read back gives the same values.
 */
public final class FrontierCsv {
    /** The columns every frontier has, in order; downstream columns follow. */
    public static final List<String> COLUMNS = List.of(
            "cell",
            "variant",
            "level",
            "level_value",
            "concepts",
            "l0",
            "fvu",
            "explained_variance",
            "dead_fraction",
            "train_seconds");

    private FrontierCsv() {}

    /** The downstream columns of {@code rows}, in alphabetical order. */
    public static List<String> downstreamColumns(List<CellResult> rows) {
        Set<String> names = new TreeSet<>();
        rows.forEach(r -> names.addAll(r.downstream().keySet()));
        return List.copyOf(names);
    }

    /** The text of the file for {@code rows}. */
    public static String format(List<CellResult> rows) {
        List<String> extra = downstreamColumns(rows);
        StringBuilder sb = new StringBuilder(String.join(",", COLUMNS));
        extra.forEach(c -> sb.append(',').append(c));
        sb.append('\n');
        for (CellResult r : rows) {
            sb.append(r.cell().id())
                    .append(',')
                    .append(r.cell().variant().name())
                    .append(',')
                    .append(r.cell().level().kind().label())
                    .append(',')
                    .append(r.cell().level().text())
                    .append(',')
                    .append(r.concepts());
            for (double v : new double[] {r.l0(), r.fvu(), r.explainedVariance(), r.deadFraction(), r.trainSeconds()}) {
                sb.append(',').append(v);
            }
            for (String c : extra) {
                Double v = r.downstream().get(c);
                sb.append(',').append(v == null ? "" : v.toString());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Writes {@code rows} to {@code file}, atomically: a reader sees the old file or the new one. */
    public static void write(Path file, List<CellResult> rows) throws IOException {
        AtomicFiles.writeString(file, format(rows));
    }

    /** The rows of a {@code frontier.csv}; a malformed file is an error naming the line. */
    public static List<CellResult> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new MalformedFileException(file.toString(), "empty; a frontier starts with its header");
        }
        List<String> header = List.of(lines.get(0).split(",", -1));
        if (header.size() < COLUMNS.size() || !header.subList(0, COLUMNS.size()).equals(COLUMNS)) {
            throw new MalformedFileException(
                    file.toString(), "line 1: the header must start with " + String.join(",", COLUMNS));
        }
        List<String> extra = header.subList(COLUMNS.size(), header.size());
        List<CellResult> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] f = lines.get(i).split(",", -1);
            if (f.length != header.size()) {
                throw new MalformedFileException(
                        file.toString(),
                        "line " + (i + 1) + ": " + f.length + " fields, the header has " + header.size());
            }
            try {
                SweepCell cell = new SweepCell(
                        VariantSpec.kind(f[1]), LevelKind.parse(f[2]).level(Double.parseDouble(f[3])));
                Map<String, Double> downstream = new LinkedHashMap<>();
                for (int j = 0; j < extra.size(); j++) {
                    String v = f[COLUMNS.size() + j];
                    if (!v.isEmpty()) {
                        downstream.put(extra.get(j), Double.parseDouble(v));
                    }
                }
                rows.add(new CellResult(
                        cell,
                        Integer.parseInt(f[4]),
                        Double.parseDouble(f[5]),
                        Double.parseDouble(f[6]),
                        Double.parseDouble(f[7]),
                        Double.parseDouble(f[8]),
                        Double.parseDouble(f[9]),
                        downstream));
            } catch (IllegalArgumentException e) {
                throw new MalformedFileException(file.toString(), "line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return rows;
    }
}
