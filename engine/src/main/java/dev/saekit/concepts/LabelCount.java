package dev.saekit.concepts;

/**
 * A label (a token id, say) among the rows a concept fired on: how many of them carried it, as the
 * concept's label summary counts them, and the concept's mean value on them.
 */
public record LabelCount(int label, long count, double meanValue) {}
