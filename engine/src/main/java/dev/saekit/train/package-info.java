/**
 * Training: the {@link dev.saekit.train.Trainer} loop (forward, loss, explicit backward, global-norm
 * clipping, optimiser step, schedule), {@link dev.saekit.train.Loss losses} (each described by a
 * {@link dev.saekit.train.LossSpec}, from which it is built again),
 * {@link dev.saekit.train.Adam} and AdamW, {@link dev.saekit.train.Schedule learning-rate schedules},
 * the {@link dev.saekit.train.MemoryEstimate} checked before the first step, and the
 * {@link dev.saekit.train.TrainingListener} extension point; the stock listeners live in
 * {@link dev.saekit.train.listeners}.
 */
package dev.saekit.train;
