package dev.saekit.onnx.text;

import dev.saekit.onnx.FloatTensor;
import java.util.List;

/**
 * The rows one batch gives: its texts' tokens in order, special tokens kept or dropped, padding
 * never, at most {@code left} of them. Each row is a text of the batch and a position in it.
 */
final class RowSelection {
    private final int[] textOf;
    private final int[] positions;
    private final int count;
    private final int texts;

    private RowSelection(int[] textOf, int[] positions, int count, int texts) {
        this.textOf = textOf;
        this.positions = positions;
        this.count = count;
        this.texts = texts;
    }

    static RowSelection of(List<Tokens> batch, SpecialTokens special, long left) {
        int total = 0;
        for (Tokens t : batch) {
            total += t.length();
        }
        int[] textOf = new int[total];
        int[] positions = new int[total];
        int n = 0;
        int texts = 0;
        for (int i = 0; i < batch.size() && n < left; i++) {
            boolean[] isSpecial = batch.get(i).special();
            for (int p = 0; p < isSpecial.length && n < left; p++) {
                if (special.keeps(isSpecial[p])) {
                    textOf[n] = i;
                    positions[n] = p;
                    n++;
                }
            }
            texts = i + 1;
        }
        return new RowSelection(textOf, positions, n, texts);
    }

    /** The number of rows. */
    int count() {
        return count;
    }

    /** How many of the batch's texts the rows cover: all, unless the budget ran out within the batch. */
    int texts() {
        return texts;
    }

    /** The text (index in the batch) of row {@code r}. */
    int text(int r) {
        return textOf[r];
    }

    /** Each row's position in its text (the array itself, {@link #count()} entries used). */
    int[] positions() {
        return positions;
    }

    /** Each row's token id. */
    int[] tokenIds(List<Tokens> batch) {
        int[] ids = new int[count];
        for (int r = 0; r < count; r++) {
            ids[r] = Math.toIntExact(batch.get(textOf[r]).ids()[positions[r]]);
        }
        return ids;
    }

    /** The rows of {@code x} ({@code [B, T, width]}, the batch's activations) this selection names, one after another. */
    float[] gather(FloatTensor x, int width) {
        if (x.rank() != 3 || x.width() != width) {
            throw new IllegalStateException("a text model's tap must be [B, T, " + width + "], was " + x.shapeText());
        }
        int length = Math.toIntExact(x.dim(1));
        float[] data = x.data();
        float[] out = new float[Math.multiplyExact(count, width)];
        for (int r = 0; r < count; r++) {
            int from = (textOf[r] * length + positions[r]) * width;
            System.arraycopy(data, from, out, r * width, width);
        }
        return out;
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
