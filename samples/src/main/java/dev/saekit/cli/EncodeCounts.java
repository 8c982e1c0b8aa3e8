package dev.saekit.cli;

/**
 * What {@code saekit encode} encoded, in one pass or in one range of rows ({@link EncodeJob#encode}):
 * rows kept and skipped, and each encoded block's active codes (its L0 sum), in row order.
 *
 * @param kept rows whose codes were written
 * @param skipped rows left out for a NaN or an infinite value
 * @param blockActive each encoded block's active codes, in row order
 */
public record EncodeCounts(long kept, long skipped, double[] blockActive) {}
