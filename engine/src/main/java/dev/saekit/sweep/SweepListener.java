package dev.saekit.sweep;

import dev.saekit.train.StepState;

/**
 * What a sweep tells its listeners as it goes: progress bars, logs, plots redrawn after each cell.
 * Every method does nothing by default.
 */
public interface SweepListener {

    /**
     * Before the first cell: the grid, how many of its cells a resumed sweep found trained, and the
     * optimiser steps each cell takes.
     */
    default void onSweepStart(SweepGrid grid, int finishedCells, long stepsPerCell) {}

    /** A cell found trained in the directory (a resumed sweep), not trained again. */
    default void onCellSkipped(CellResult result) {}

    /** A cell starts training; {@code position} counts the cells trained or found so far, this one included. */
    default void onCellStart(SweepCell cell, int position) {}

    /** After every optimiser step of the cell being trained. */
    default void onStep(SweepCell cell, StepState state) {}

    /**
     * A cell is trained, measured and saved, and {@code frontier.csv} rewritten; {@code sweep} holds
     * every cell finished so far.
     */
    default void onCellEnd(CellResult result, SweepResult sweep) {}

    /** Every cell is finished. */
    default void onSweepEnd(SweepResult result) {}
}
