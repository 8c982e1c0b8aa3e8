/**
 * Files that appear complete or not at all: {@link dev.saekit.files.AtomicFiles} writes beside the
 * target, forces the bytes to disk and renames over it. The engine's lowest floor, importing nothing
 * of the engine, so that every package that writes a file uses this one helper: the metric
 * history's CSV files ({@code train.listeners}) as much as {@code io}'s formats and checkpoints.
 */
package dev.saekit.files;
