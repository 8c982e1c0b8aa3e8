package dev.saekit.concepts;

/**
 * A node of the tree that {@link StatisticsPart} combines its segments up: level 0 is one segment,
 * node {@code index} of level {@code level} covers segments {@code [index << level, (index + 1) <<
 * level)}. It holds what does not merge exactly, per concept: the sums of values and squares, and
 * the label summary.
 */
final class SegmentNode {
    int level;
    long index;
    final double[] sum;
    final double[] sumSquares;
    /** Null without labels. */
    final LabelSummaries labels;

    SegmentNode(int level, long index, double[] sum, double[] sumSquares, LabelSummaries labels) {
        this.level = level;
        this.index = index;
        this.sum = sum;
        this.sumSquares = sumSquares;
        this.labels = labels;
    }

    /** Whether {@code right} is this node's right sibling. */
    boolean leftSiblingOf(SegmentNode right) {
        return level == right.level && index % 2 == 0 && right.index == index + 1;
    }

    /** Adds {@code other} in: symmetric bit for bit (the sums' additions commute, the label merge is symmetric). */
    void absorb(SegmentNode other) {
        for (int c = 0; c < sum.length; c++) {
            sum[c] += other.sum[c];
            sumSquares[c] += other.sumSquares[c];
        }
        if (labels != null) {
            labels.mergeFrom(other.labels);
        }
    }
}
