package dev.saekit.spark;

import dev.saekit.cli.EncodeCounts;
import dev.saekit.files.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a committed part of {@code saekit spark encode} counted: rows kept and skipped, each block's
 * active codes (as exact bits, so the driver's sum is the single pass's), and the warnings that named
 * its first skipped rows. A text file, written atomically after the part's codes.
 */
record PartRecord(EncodeCounts counts, List<String> warnings) {
    void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append(counts.kept()).append(' ').append(counts.skipped()).append('\n');
        for (double a : counts.blockActive()) {
            text.append(Long.toHexString(Double.doubleToRawLongBits(a))).append(' ');
        }
        text.append('\n');
        for (String w : warnings) {
            text.append(w).append('\n');
        }
        AtomicFiles.writeString(file, text.toString());
    }

    static PartRecord read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.size() < 2) {
            throw new IOException(file + " is not a part's record: delete it to encode the part again");
        }
        String[] counts = lines.get(0).split(" ");
        String[] active =
                lines.get(1).isBlank() ? new String[0] : lines.get(1).trim().split(" ");
        double[] blockActive = new double[active.length];
        for (int i = 0; i < active.length; i++) {
            blockActive[i] = Double.longBitsToDouble(Long.parseUnsignedLong(active[i], 16));
        }
        return new PartRecord(
                new EncodeCounts(Long.parseLong(counts[0]), Long.parseLong(counts[1]), blockActive),
                new ArrayList<>(lines.subList(2, lines.size())));
    }
}
