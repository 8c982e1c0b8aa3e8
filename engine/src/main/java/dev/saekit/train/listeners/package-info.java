/**
 * The stock training listeners: a terminal progress bar, a divergence check, a dead-code tracker
 * and a metric history that can be saved and read back. They share the {@link dev.saekit.train}
 * floor: the trainer itself always runs a metric history and a dead-code tracker, so the two
 * packages import each other and nothing above them.
 */
package dev.saekit.train.listeners;
