package dev.saekit.spark;

import dev.saekit.cli.DashboardInputs;
import dev.saekit.concepts.DenseBlock;
import dev.saekit.concepts.StatisticsPart;
import dev.saekit.dashboard.Encoding;
import dev.saekit.dashboard.RowContexts;
import dev.saekit.dashboard.RowStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * The statistics of rows {@code [from, to)} of a dashboard's scan, read from the shards that hold
 * them only: the rows are encoded in the blocks of the whole pass (a shard's blocks start where it
 * starts), so their codes, and the part, are the bits {@code ConceptScan.scanPart} gives.
 */
final class RangeScan {
    private RangeScan() {}

    static StatisticsPart part(DashboardInputs in, long from, long to) throws IOException {
        long[] offset = {0};
        RowStream rows = in.rows(from, to, offset);
        Encoding encoding = in.encoding();
        RowContexts contexts = in.contexts();
        int concepts = in.settings().concepts();
        StatisticsPart part = StatisticsPart.starting(in.settings(), in.segmentRows(), from);
        DenseBlock sparse = new DenseBlock();
        try {
            rows.forEachBlock(in.blockRows(), (f, block) -> {
                long first = offset[0] + f;
                int n = (int) block.rows();
                if (first + n <= from) {
                    return;
                }
                if (first >= to) {
                    throw new Past();
                }
                sparse.of(encoding.codes(block), concepts);
                int r0 = (int) Math.max(0, from - first);
                int r1 = (int) Math.min(n, to - first);
                int[] indptr = r0 == 0 && r1 == n ? sparse.indptr() : Arrays.copyOfRange(sparse.indptr(), r0, r1 + 1);
                part.add(
                        first + r0,
                        r1 - r0,
                        indptr,
                        sparse.indices(),
                        sparse.values(),
                        contexts.labels(first + r0, r1 - r0));
            });
        } catch (Past past) {
            // the rows after the range are not read
        }
        if (part.endRow() != to) {
            throw new IllegalStateException(
                    "the scan of rows [" + from + ", " + to + ") ended at row " + part.endRow());
        }
        return part;
    }

    /** Stops a pass over the rows at the end of the range. */
    private static final class Past extends RuntimeException {
        Past() {
            super(null, null, false, false);
        }
    }
}
