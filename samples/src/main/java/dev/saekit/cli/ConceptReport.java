package dev.saekit.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What each concept fires on, gathered batch by batch over a data set: how many rows it fires on
 * ({@code z > 0}) and the rows where its code is largest. {@link #print} shows the concepts that fire
 * on the most rows with the labels (words) of their top rows: the quickest way to see concepts emerge.
 */
final class ConceptReport {
    private final int topRows;
    private final long[] fires;
    private final double[][] topValues;
    private final long[][] topRowIds;
    private final int[] kept;
    private long rows;

    ConceptReport(int concepts, int topRows) {
        this.topRows = topRows;
        this.fires = new long[concepts];
        this.topValues = new double[concepts][topRows];
        this.topRowIds = new long[concepts][topRows];
        this.kept = new int[concepts];
    }

    /** Adds the codes {@code [batch, concepts]} of rows {@code firstRow ..}. */
    void add(long firstRow, INDArray codes) {
        int batch = (int) codes.rows();
        int concepts = fires.length;
        double[] z = codes.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int r = 0; r < batch; r++) {
            for (int j = 0; j < concepts; j++) {
                double v = z[r * concepts + j];
                if (v > 0) {
                    fires[j]++;
                    offer(j, v, firstRow + r);
                }
            }
        }
        rows += batch;
    }

    /** Keeps {@code v} if it is among the {@code topRows} largest codes of concept {@code j} so far. */
    private void offer(int j, double v, long row) {
        double[] values = topValues[j];
        if (kept[j] < topRows) {
            values[kept[j]] = v;
            topRowIds[j][kept[j]++] = row;
            return;
        }
        int min = 0;
        for (int i = 1; i < topRows; i++) {
            if (values[i] < values[min]) {
                min = i;
            }
        }
        if (v > values[min]) {
            values[min] = v;
            topRowIds[j][min] = row;
        }
    }

    /** Fraction of rows concept {@code j} fires on. */
    double firingRate(int j) {
        return rows == 0 ? 0 : (double) fires[j] / rows;
    }

    /** The {@code n} concepts that fire on the most rows, most first (ties: lower index first). */
    List<Integer> mostUsed(int n) {
        return IntStream.range(0, fires.length)
                .boxed()
                .sorted(Comparator.comparingLong((Integer j) -> -fires[j]).thenComparing(j -> j))
                .filter(j -> fires[j] > 0)
                .limit(n)
                .collect(Collectors.toList());
    }

    /** Rows of concept {@code j}'s largest codes, largest first. */
    List<Long> topRowsOf(int j) {
        List<Integer> order = IntStream.range(0, kept[j])
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -topValues[j][i]))
                .collect(Collectors.toList());
        List<Long> result = new ArrayList<>();
        for (int i : order) {
            result.add(topRowIds[j][i]);
        }
        return result;
    }

    /** One line per concept: {@code concept 412 (fires on 3.1% of words): paris, london, ...}. */
    void print(PrintWriter out, List<String> labels, int concepts, String rowNoun) {
        for (int j : mostUsed(concepts)) {
            String words = topRowsOf(j).stream()
                    .map(r -> labels.get(Math.toIntExact(r)))
                    .collect(Collectors.joining(", "));
            out.printf(
                    Locale.ROOT, "  concept %d (fires on %.1f%% of %s): %s%n", j, 100 * firingRate(j), rowNoun, words);
        }
    }
}
