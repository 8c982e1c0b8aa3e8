package dev.saekit.sweep;

import dev.saekit.model.VariantKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The cells of a sweep finished so far, in the grid's order, and where they are.
 *
 * @param directory the sweep's directory ({@code sweep.json}, {@code cells/}, {@code frontier.csv})
 * @param grid      the cells asked for
 * @param settings  what they share
 * @param rows      the finished cells' results, in the grid's order
 */
public record SweepResult(Path directory, SweepGrid grid, SweepSettings settings, List<CellResult> rows) {

    public SweepResult {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(grid, "grid");
        Objects.requireNonNull(settings, "settings");
        rows = List.copyOf(rows);
    }

    /** {@code frontier.csv}: one row per finished cell. */
    public Path csv() {
        return directory.resolve(SweepRunner.FRONTIER);
    }

    /** The directory of {@code cell}: its checkpoint in {@code model/} and its {@code result.json}. */
    public Path cellDirectory(SweepCell cell) {
        return SweepRunner.cellDirectory(directory, cell);
    }

    /** Whether every cell of the grid is finished. */
    public boolean complete() {
        return rows.size() == grid.cells().size();
    }

    /** {@code variant}'s frontier: its finished cells by increasing measured L0. */
    public List<CellResult> frontier(VariantKind variant) {
        return rows.stream()
                .filter(r -> r.cell().variant().equals(variant))
                .sorted(Comparator.comparingDouble(CellResult::l0))
                .toList();
    }

    /** The columns a {@link DownstreamEvaluator} added, in alphabetical order. */
    public List<String> downstreamColumns() {
        return FrontierCsv.downstreamColumns(rows);
    }

    /** The finished cells as a text table: one line per cell, its metrics and downstream columns. */
    public String table() {
        List<String> extra = downstreamColumns();
        List<String> header =
                new ArrayList<>(List.of("variant", "level", "L0", "FVU", "explained var", "dead", "seconds"));
        header.addAll(extra);
        List<List<String>> lines = new ArrayList<>();
        lines.add(header);
        for (CellResult r : rows) {
            List<String> l = new ArrayList<>(List.of(
                    r.cell().variant().name(),
                    r.cell().level().label(),
                    f("%.2f", r.l0()),
                    f("%.4f", r.fvu()),
                    f("%.4f", r.explainedVariance()),
                    f("%.1f%%", 100 * r.deadFraction()),
                    f("%.1f", r.trainSeconds())));
            extra.forEach(c -> l.add(
                    r.downstream().containsKey(c) ? f("%.4f", r.downstream().get(c)) : ""));
            lines.add(l);
        }
        int[] widths = new int[header.size()];
        lines.forEach(l -> {
            for (int i = 0; i < l.size(); i++) {
                widths[i] = Math.max(widths[i], l.get(i).length());
            }
        });
        StringBuilder sb = new StringBuilder();
        for (List<String> l : lines) {
            for (int i = 0; i < l.size(); i++) {
                String cell = l.get(i);
                sb.append(i < 2 ? String.format(Locale.ROOT, "%-" + widths[i] + "s", cell) : pad(cell, widths[i]));
                sb.append(i + 1 < l.size() ? "  " : "\n");
            }
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return " ".repeat(width - s.length()) + s;
    }

    private static String f(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }

    @Override
    public String toString() {
        return "SweepResult[" + rows.size() + " of " + grid.cells().size() + " cells in " + directory + "]";
    }
}
