package dev.saekit.dashboard;

import dev.saekit.concepts.ConceptStatistics;
import dev.saekit.concepts.DenseBlock;
import dev.saekit.concepts.StatisticsPart;
import java.io.IOException;
import java.util.Arrays;

/**
 * The encoded blocks of a stream of rows fed into a {@link StatisticsPart}: each block is encoded
 * whole, made sparse, and its rows (with their label ids) added to the part. {@link #part} gathers
 * rows {@code [from, to)} this way for {@link ConceptScan#scanPart} and for a cluster's scan of a
 * range read from the shards that hold it only (spark's {@code RangeScan}), so both give the same
 * bits; {@link ConceptScan}'s whole pass adds its blocks with {@link #add} too.
 */
public final class BlockFeed {
    private BlockFeed() {}

    /**
     * The part of rows {@code [from, to)}: the blocks of {@code rows} (of {@code blockRows} rows,
     * the stream's row 0 being row {@code offset} of the data) are encoded with {@code encoding},
     * those before {@code from} are read but not encoded, those that hold rows of the range are
     * encoded whole and added from {@code from} to {@code to}, and the stream is not read past the
     * block that holds row {@code to - 1}. The codes are the bits a whole pass over the data gives
     * when {@code offset} is where one of its blocks starts (0, or a shard's first row when the
     * blocks start again at each shard).
     *
     * @param offset the row of the data where the stream's row 0 is, at most {@code from}
     * @param contexts the label ids of the data's rows (indexed from the data's row 0)
     * @param from a multiple of {@code segmentRows}
     * @param to at least {@code from}, and with {@code offset + rows.rows()} at least {@code to}
     * @param progress told the rows of the range done after each block (null: not told)
     * @throws IllegalStateException if the stream ends before row {@code to}
     */
    public static StatisticsPart part(
            RowStream rows,
            long offset,
            int blockRows,
            Encoding encoding,
            RowContexts contexts,
            ConceptStatistics.Settings settings,
            int segmentRows,
            long from,
            long to,
            ConceptScan.Progress progress)
            throws IOException {
        StatisticsPart part = StatisticsPart.starting(settings, segmentRows, from);
        DenseBlock sparse = new DenseBlock();
        try {
            rows.forEachBlock(blockRows, (f, block) -> {
                long first = offset + f;
                int n = (int) block.rows();
                if (first + n <= from) {
                    return;
                }
                if (first >= to) {
                    throw new Past();
                }
                sparse.of(encoding.codes(block), settings.concepts());
                int r1 = (int) Math.min(n, to - first);
                add(part, sparse, first, (int) Math.max(0, from - first), r1, contexts);
                if (progress != null) {
                    progress.rows(first + r1 - from, to - from);
                }
            });
        } catch (Past past) {
            // the rows after the range are not read
        }
        if (part.endRow() != to) {
            throw new IllegalStateException(rows.description() + " gave rows up to " + part.endRow() + " of the part ["
                    + from + ", " + to + ")");
        }
        return part;
    }

    /**
     * Adds rows {@code [r0, r1)} of a sparse block whose row 0 is row {@code first} of the data to
     * {@code part}, with their label ids from {@code contexts}; the block's row pointers are used as
     * they are when the rows are all of it, a copy of their slice otherwise.
     */
    static void add(StatisticsPart part, DenseBlock sparse, long first, int r0, int r1, RowContexts contexts)
            throws IOException {
        int[] indptr =
                r0 == 0 && r1 == sparse.rows() ? sparse.indptr() : Arrays.copyOfRange(sparse.indptr(), r0, r1 + 1);
        part.add(first + r0, r1 - r0, indptr, sparse.indices(), sparse.values(), contexts.labels(first + r0, r1 - r0));
    }

    /** Stops a pass over the rows at the end of the range. */
    private static final class Past extends RuntimeException {
        Past() {
            super(null, null, false, false);
        }
    }
}
