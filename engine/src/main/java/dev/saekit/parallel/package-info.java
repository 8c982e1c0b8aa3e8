/**
 * Data-parallel training's one collective operation: the element-wise sum of an array across the
 * workers of a run, every worker receiving the same bits ({@link dev.saekit.parallel.Collective}).
 * {@link dev.saekit.parallel.Collective#single()} is the one-process identity the engine trains
 * with by default; {@link dev.saekit.parallel.SocketRing} sums over TCP connections between the
 * workers (a ring all-reduce), set up once from the workers' addresses. A low floor beside
 * {@code files}: it imports nothing of the engine, so that models (BatchTopK's batch-wide
 * threshold), losses and listeners can all sum across workers.
 */
package dev.saekit.parallel;
