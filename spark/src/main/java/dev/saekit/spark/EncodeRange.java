package dev.saekit.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** One task's rows of a {@code saekit spark encode}: {@code [from, to)}, whole blocks of one pass. */
record EncodeRange(int index, long from, long to) implements Serializable {
    /**
     * Up to {@code parts} ranges of about equal rows, cut only where a block starts ({@code starts}:
     * ascending, the last the row count).
     */
    static List<EncodeRange> plan(long[] starts, int parts) {
        long rows = starts[starts.length - 1];
        List<EncodeRange> ranges = new ArrayList<>();
        long from = 0;
        for (int i = 1; i < starts.length; i++) {
            long wantedEnd = rows * (ranges.size() + 1) / parts; // the ideal end of the next range
            if (starts[i] == rows || (starts[i] >= wantedEnd && starts[i] > from)) {
                ranges.add(new EncodeRange(ranges.size(), from, starts[i]));
                from = starts[i];
            }
            if (from == rows) {
                break;
            }
        }
        return ranges;
    }

    /** The rows of {@code ranges}. */
    static long rows(List<EncodeRange> ranges) {
        return ranges.stream().mapToLong(r -> r.to - r.from).sum();
    }

    private String stem() {
        return String.format(Locale.ROOT, "part-%05d-rows-%d-%d", index, from, to);
    }

    /** The part's codes in {@code dir}, as {@code --out} holds them. */
    Path codes(Path dir, boolean sparse) {
        return dir.resolve(stem() + (sparse ? ".safetensors" : ".npy"));
    }

    /** The part's record in {@code dir}: written after its codes, it marks the part committed. */
    Path record(Path dir) {
        return dir.resolve(stem() + ".done");
    }
}
