package dev.saekit.spark;

import dev.saekit.cli.DashboardInputs;
import dev.saekit.concepts.StatisticsPart;
import dev.saekit.dashboard.BlockFeed;
import dev.saekit.dashboard.RowStream;
import java.io.IOException;

/**
 * The statistics of rows {@code [from, to)} of a dashboard's scan, read from the shards that hold
 * them only: the rows are encoded in the blocks of the whole pass (a shard's blocks start where it
 * starts), and fed into the part by {@link BlockFeed#part} as {@code ConceptScan.scanPart} feeds
 * them, so their codes, and the part, are the bits {@code scanPart} gives.
 */
final class RangeScan {
    private RangeScan() {}

    static StatisticsPart part(DashboardInputs in, long from, long to) throws IOException {
        long[] offset = {0};
        RowStream rows = in.rows(from, to, offset);
        return BlockFeed.part(
                rows,
                offset[0],
                in.blockRows(),
                in.encoding(),
                in.contexts(),
                in.settings(),
                in.segmentRows(),
                from,
                to,
                null);
    }
}
