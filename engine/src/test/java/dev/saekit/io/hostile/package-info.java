/**
 * The reliability suite of the data readers. {@link dev.saekit.io.hostile.HostileFiles} writes a
 * seeded corpus of hostile files, each a {@link dev.saekit.io.hostile.Case} with its category and
 * expectation, built with {@link dev.saekit.io.hostile.DataBytes} and
 * {@link dev.saekit.io.hostile.ZipBuilder} (which the CLI's tests use too, through the engine's
 * test-jar); {@link dev.saekit.io.hostile.ReaderHarness} runs the corpus and seeded mutations of
 * valid files of each format ({@link dev.saekit.io.hostile.FuzzSeeds}) through every reader with a
 * timeout and classifies the outcomes; {@link dev.saekit.io.hostile.HostileFilesTest} runs it in a
 * child JVM with a bounded heap.
 */
package dev.saekit.io.hostile;
