/**
 * The stock training listeners: a terminal progress bar, a divergence check, a dead-code tracker
 * and a metric history that can be saved and read back.
 */
package dev.saekit.train.listeners;
