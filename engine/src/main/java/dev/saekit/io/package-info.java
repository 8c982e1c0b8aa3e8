/**
 * Files in and out of the engine. {@link dev.saekit.io.Npy} reads and writes NumPy {@code .npy}
 * arrays: reading is safe on untrusted files (the header is parsed, never evaluated; sizes are
 * checked with exact arithmetic against the file's length before anything is allocated) and every
 * defect is an {@link dev.saekit.io.MalformedFileException} that names the file and the place.
 * Writing is atomic and byte-identical to {@code numpy.save}. Safetensors and checkpoints will
 * live here too.
 */
package dev.saekit.io;
