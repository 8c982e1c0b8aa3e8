package dev.saekit.dsl

import dev.saekit.data.Dataset
import dev.saekit.data.InMemoryDataset
import dev.saekit.data.SideBySideDataset
import dev.saekit.io.ActivationManifest
import dev.saekit.io.DataFiles
import dev.saekit.io.Names
import dev.saekit.io.ShardedDataset
import dev.saekit.tensor.DType
import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import org.nd4j.linalg.api.ndarray.INDArray
import org.nd4j.linalg.factory.Nd4j

/*
 * Data sources: each returns one of the engine's data sets, checked as it is made (shape, and every
 * value finite; a file's NaN is named by row and column).
 */

/** The rows of [matrix] (`[rows, width]`), with optional [labels], one per row. */
fun matrix(
    matrix: INDArray,
    labels: List<String>? = null,
    description: String = "a matrix",
): InMemoryDataset =
    InMemoryDataset.of(matrix, labels, description) // the caller's matrix: ND4J is loaded already

/** The rows of a Kotlin array of float rows (all of one width). */
fun matrix(
    rows: Array<FloatArray>,
    labels: List<String>? = null,
    description: String = "a matrix",
): InMemoryDataset {
    ensureMemoryCaps()
    requireRectangular(rows.map { it.size })
    return matrix(Nd4j.create(rows), labels, description)
}

/** The rows of a Kotlin array of double rows (all of one width), kept in float64. */
fun matrix(
    rows: Array<DoubleArray>,
    labels: List<String>? = null,
    description: String = "a matrix",
): InMemoryDataset {
    ensureMemoryCaps()
    requireRectangular(rows.map { it.size })
    return matrix(Nd4j.create(rows), labels, description)
}

/** Rows of one width, at least one of them; the error names the first row of another width. */
private fun requireRectangular(widths: List<Int>) {
    requireSetting(widths.isNotEmpty(), "rows", "[]", "at least one row")
    widths.forEachIndexed { i, w ->
        requireSetting(w == widths[0], "rows[$i] width", w, "${widths[0]}, the width of row 0")
    }
}

/*
 * Files become matrices by one rule, the engine's (`RowLayout`): the first [rowAxes] axes index rows
 * and the others flatten into each row. By default images `[n, 28, 28]` are n rows of 784; with
 * `rowAxes = 2` token activations `[n, t, d]` are `n*t` rows of width d. Values are checked as the
 * file stores them, against [dtype], before conversion: a NaN, an infinity or a float64 beyond
 * float32's range is named by file, row, column and stored index.
 */

/**
 * A `.npy` file read into memory (any numeric dtype) as [dtype]; [labels] is a UTF-8 file of one
 * label per row.
 */
fun npy(
    path: String,
    dtype: DType = DType.FLOAT32,
    labels: String? = null,
    rowAxes: Int = 1,
): InMemoryDataset = fileData(Paths.get(path), null, dtype, labels, rowAxes)

/** The array [array] of a `.npz` archive, read into memory. */
fun npz(
    path: String,
    array: String,
    dtype: DType = DType.FLOAT32,
    labels: String? = null,
    rowAxes: Int = 1,
): InMemoryDataset = fileData(Paths.get(path), array, dtype, labels, rowAxes)

/** The tensor [tensor] of a `.safetensors` file, read into memory. */
fun safetensors(
    path: String,
    tensor: String,
    dtype: DType = DType.FLOAT32,
    labels: String? = null,
    rowAxes: Int = 1,
): InMemoryDataset = fileData(Paths.get(path), tensor, dtype, labels, rowAxes)

/**
 * An IDX file (MNIST's format, also `.gz`), read into memory: images `[n, h, w]` become rows of
 * `h * w`.
 */
fun idx(
    path: String,
    dtype: DType = DType.FLOAT32,
    labels: String? = null,
    rowAxes: Int = 1,
): InMemoryDataset = fileData(Paths.get(path), null, dtype, labels, rowAxes)

private fun fileData(
    file: Path,
    name: String?,
    dtype: DType,
    labels: String?,
    rowAxes: Int,
): InMemoryDataset {
    ensureMemoryCaps()
    requirePositive("rowAxes", rowAxes)
    val read = DataFiles.load(file, name, rowAxes, dtype)
    val rowLabels = labels?.let { readLabels(Paths.get(it)) }
    val description = if (name == null) file.toString() else "$file:$name"
    return InMemoryDataset.of(read.matrix(), rowLabels, description)
}

/** One label per line of a UTF-8 file. */
fun readLabels(file: Path): List<String> = Files.readAllLines(file, StandardCharsets.UTF_8)

/**
 * Shards in a directory or matching a glob (`acts/ *.npy`), of any format the engine reads (`.npy`,
 * `.npz`, safetensors, IDX plain or `.gz`; [name] picks the array of files that hold several),
 * streamed from disk through a seeded shuffle buffer of [bufferRows] rows: for data larger than
 * memory. Compressed shards are decompressed once into a scratch file (see `ShardedDataset`).
 */
fun shards(
    location: String,
    dtype: DType = DType.FLOAT32,
    bufferRows: Int = ShardedDataset.DEFAULT_BUFFER_ROWS,
    rowAxes: Int = 1,
    name: String? = null,
): ShardedDataset {
    ensureMemoryCaps()
    requirePositive("shards.bufferRows", bufferRows)
    requirePositive("shards.rowAxes", rowAxes)
    return ShardedDataset.builder(location)
        .name(name)
        .rowAxes(rowAxes)
        .dtype(dtype)
        .bufferRows(bufferRows)
        .build()
}

/**
 * The activations of the tensor [tap] that `saekit extract-ocr` or `ActivationExtractor` wrote into
 * [directory] (its `manifest.json` and `.npy` shards), streamed like [shards].
 */
fun activations(
    directory: String,
    tap: String,
    dtype: DType = DType.FLOAT32,
    bufferRows: Int = ShardedDataset.DEFAULT_BUFFER_ROWS,
): ShardedDataset {
    ensureMemoryCaps()
    requirePositive("activations.bufferRows", bufferRows)
    val dir = Paths.get(directory)
    val manifest = ActivationManifest.read(dir)
    val names = manifest.taps().map { it.name() }
    val found =
        manifest.taps().firstOrNull { it.name() == tap }
            ?: throw InvalidSettingException(
                "activations.tap",
                tap,
                "one of the tensors tapped in $dir (closest: ${Names.closest(tap, names, 3).joinToString()})",
            )
    val files = found.shards().map { dir.resolve(found.directory()).resolve(it.file()) }
    return ShardedDataset.builder(files).dtype(dtype).bufferRows(bufferRows).build()
}

/**
 * The same rows minus their mean row (one pass for the mean, summed in float64). A data set
 * streamed from disk subtracts the mean as it reads; one in memory is copied. Each kind of data set
 * stays its kind: in memory it keeps its matrix and labels.
 */
fun Dataset.centered(): Dataset =
    when (this) {
        is ShardedDataset -> centered()
        is InMemoryDataset -> centered()
        else ->
            throw UnsupportedOperationException(
                "centered() works on in-memory and sharded data sets, not ${this::class.java.name}"
            )
    }

/** The rows minus their mean row, in memory, with the same labels. */
fun InMemoryDataset.centered(): InMemoryDataset =
    InMemoryDataset.of(
        matrix().subRowVector(meanRow()),
        labels().orElse(null),
        "${description()}, centred",
    )

/** The shards, with their mean row subtracted as each row is read. */
fun ShardedDataset.centered(): ShardedDataset = centred(meanRow())

/**
 * [parts] read side by side, row by row: a transcoder's input beside its target (`sideBySide(input,
 * target)`), or a crosscoder's layers. The parts must have as many rows, in the same order (in
 * memory, or shards cut the same way, as the taps of one harvest); an error says why not.
 */
fun sideBySide(vararg parts: Dataset): SideBySideDataset = SideBySideDataset.of(parts.toList())
