package dev.saekit.onnx.text;

import dev.saekit.onnx.FloatTensor;
import java.util.List;

/**
 * The rows some texts give: their tokens in order, special tokens kept or dropped, padding never,
 * at most {@code left} of them. Each row is a text and a position in it; a text's rows are
 * consecutive.
 */
final class RowSelection {
    private final int[] textOf;
    private final int[] positions;
    private final int[] firstRow; // per text, then the total
    private final int count;
    private final int texts;

    private RowSelection(int[] textOf, int[] positions, int[] firstRow, int count, int texts) {
        this.textOf = textOf;
        this.positions = positions;
        this.firstRow = firstRow;
        this.count = count;
        this.texts = texts;
    }

    static RowSelection of(List<Tokens> texts, SpecialTokens special, long left) {
        int total = 0;
        for (Tokens t : texts) {
            total += t.length();
        }
        int[] textOf = new int[total];
        int[] positions = new int[total];
        int[] firstRow = new int[texts.size() + 1];
        int n = 0;
        int covered = 0;
        for (int i = 0; i < texts.size() && n < left; i++) {
            firstRow[i] = n;
            boolean[] isSpecial = texts.get(i).special();
            for (int p = 0; p < isSpecial.length && n < left; p++) {
                if (special.keeps(isSpecial[p])) {
                    textOf[n] = i;
                    positions[n] = p;
                    n++;
                }
            }
            covered = i + 1;
        }
        for (int i = covered; i <= texts.size(); i++) {
            firstRow[i] = n;
        }
        return new RowSelection(textOf, positions, firstRow, n, covered);
    }

    /** How many rows some texts give, and of how many of them (all unless the budget ran out before the last). */
    record Extent(int count, int texts) {}

    /**
     * The {@link #count()} and {@link #texts()} that {@link #of} gives for texts of which {@code
     * kept[0 .. n)} tokens get rows (special tokens kept or dropped), without the tokens themselves.
     */
    static Extent extent(int[] kept, int n, long left) {
        long rows = 0;
        int covered = 0;
        for (int i = 0; i < n && rows < left; i++) {
            rows += Math.min(kept[i], left - rows);
            covered = i + 1;
        }
        return new Extent(Math.toIntExact(rows), covered);
    }

    /** The number of rows. */
    int count() {
        return count;
    }

    /** How many of the texts the rows cover: all, unless the budget ran out before the last. */
    int texts() {
        return texts;
    }

    /** The text (its index) of row {@code r}. */
    int text(int r) {
        return textOf[r];
    }

    /** Each row's position in its text (the array itself, {@link #count()} entries used). */
    int[] positions() {
        return positions;
    }

    /** Each row's token id. */
    int[] tokenIds(List<Tokens> texts) {
        int[] ids = new int[count];
        for (int r = 0; r < count; r++) {
            ids[r] = Math.toIntExact(texts.get(textOf[r]).ids()[positions[r]]);
        }
        return ids;
    }

    /** The first row of text {@code t}. */
    int firstRow(int t) {
        return firstRow[t];
    }

    /** How many rows text {@code t} has. */
    int rowsOf(int t) {
        return firstRow[t + 1] - firstRow[t];
    }

    /**
     * Copies the rows of the texts {@code members} from {@code x} (their activations, {@code [B, T,
     * width]}, member i in batch row i) into {@code out}, where each row goes to its place in this
     * selection.
     */
    void scatter(FloatTensor x, int[] members, float[] out, int width) {
        if (x.rank() != 3 || x.width() != width || x.dim(0) != members.length) {
            throw new IllegalStateException("a text model's tap must be [" + members.length + ", T, " + width
                    + "] for a batch of " + members.length + " texts, was " + x.shapeText());
        }
        int length = Math.toIntExact(x.dim(1));
        float[] data = x.data();
        for (int b = 0; b < members.length; b++) {
            int t = members[b];
            for (int r = firstRow[t]; r < firstRow[t + 1]; r++) {
                System.arraycopy(data, (b * length + positions[r]) * width, out, r * width, width);
            }
        }
    }

    /** How many of {@code values[0 .. n)} are NaN or infinite. */
    static long nonFinite(float[] values, int n) {
        long c = 0;
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(values[i])) {
                c++;
            }
        }
        return c;
    }
}
