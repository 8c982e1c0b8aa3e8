package dev.saekit.concepts;

/** One kept activation of a concept: the row it fired on and its value there. */
public record Hit(long row, float value) {}
