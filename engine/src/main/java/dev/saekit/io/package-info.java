/**
 * Files in and out of the engine. {@link dev.saekit.io.Npy} reads and writes NumPy {@code .npy}
 * arrays: reading is safe on untrusted files (the header is parsed, never evaluated; sizes are
 * checked with exact arithmetic against the file's length before anything is allocated) and every
 * defect is an {@link dev.saekit.io.MalformedFileException} that names the file and the place.
 * Writing is atomic and byte-identical to {@code numpy.save}. {@link dev.saekit.io.Safetensors}
 * reads safetensors files (every float and integer dtype but the 8-bit floats; lazily, per tensor)
 * and writes F32/F64/I64 ones byte-identical to the Python library; {@link dev.saekit.io.Npz} reads
 * {@code np.savez} archives and {@link dev.saekit.io.Idx} the MNIST format, plain or gzipped, with
 * the same guarantees (zip and gzip bombs stop at the declared size; nothing may follow a gzip
 * stream or a zip archive). {@link dev.saekit.io.DataFiles} finds a file's format from its bytes
 * and reads its array as a {@code [rows, cols]} matrix by the one rule of
 * {@link dev.saekit.io.RowLayout} (the first {@code rowAxes} axes index rows).
 * {@link dev.saekit.io.DataLocation} is the rows of a file, a directory or a glob of any of these
 * formats: statistics and checked passes in bounded memory, loading into memory, and
 * {@link dev.saekit.io.ShardedDataset} to stream them for training. Only regular files are opened.
 * Checkpoints live here too, as data a run resumes from alone: {@link dev.saekit.io.ModelSpecJson},
 * {@link dev.saekit.io.TrainingConfigJson} (with {@link dev.saekit.io.LossSpecJson}) and
 * {@link dev.saekit.io.DataProvenance} are their JSON parts. So does the
 * {@link dev.saekit.io.ActivationManifest} of a directory of activation shards: {@code saekit-onnx}
 * writes it, the DSL reads it without ONNX Runtime.
 */
package dev.saekit.io;
