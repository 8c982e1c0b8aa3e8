package dev.saekit.concepts;

/**
 * Another concept that fires with a given one: on how many rows both fired, and their Jaccard
 * index, {@code count / (fired(one) + fired(other) - count)} (1 when they always fire together).
 */
public record CoFiring(int concept, long count, double jaccard) {}
