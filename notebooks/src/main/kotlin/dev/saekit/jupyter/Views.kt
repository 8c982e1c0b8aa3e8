package dev.saekit.jupyter

import dev.saekit.data.Dataset
import dev.saekit.model.SparseAutoencoder
import org.nd4j.linalg.api.ndarray.INDArray

/*
 * What a notebook asks for; each view renders itself inline (the integration calls toHtml()).
 * Every view runs the model in evaluation mode on copies, so showing one changes nothing.
 */

/**
 * The codes of the first [rows] rows of [data] for the [concepts] most active concepts, and their
 * distributions over [sample] rows.
 */
fun SparseAutoencoder.codesView(
    data: Dataset,
    rows: Int = 24,
    concepts: Int = 16,
    sample: Int = 2048,
): CodesView {
    require(rows > 0 && concepts > 0 && sample > 0) {
        "rows, concepts and sample must be > 0, were $rows, $concepts, $sample"
    }
    return CodesView(this, data, rows, minOf(concepts, nbConcepts()), sample)
}

/**
 * The first [rows] rows of [data] beside their reconstructions (as images when [imageShape] is
 * given).
 */
fun SparseAutoencoder.reconstructionView(
    data: Dataset,
    rows: Int = 8,
    imageShape: ImageShape? = null,
): ReconstructionView {
    require(rows > 0) { "rows must be > 0, was $rows" }
    requireFits(imageShape)
    return ReconstructionView(this, data, rows, imageShape)
}

/**
 * The dictionary: a heat map of the first [atoms] atoms, their cosine similarities, and atoms as
 * images for image data.
 */
fun SparseAutoencoder.dictionaryView(
    atoms: Int = 64,
    imageShape: ImageShape? = null,
): DictionaryView {
    require(atoms > 0) { "atoms must be > 0, was $atoms" }
    requireFits(imageShape)
    return DictionaryView(this, minOf(atoms, nbConcepts()), imageShape)
}

/**
 * The [concepts] concepts that fire on the most rows of [data] (at most [maxRows] rows, in order),
 * each with its [top] highest-activating rows shown by their labels, or as images with
 * [imageShape].
 */
fun SparseAutoencoder.conceptTable(
    data: Dataset,
    concepts: Int = 12,
    top: Int = 8,
    imageShape: ImageShape? = null,
    maxRows: Long = 100_000,
): ConceptTable {
    require(concepts > 0 && top > 0 && maxRows > 0) {
        "concepts, top and maxRows must be > 0, were $concepts, $top, $maxRows"
    }
    require(imageShape != null || data.labels().isPresent) {
        "${data.description()} has no labels; give labels (npy(..., labels = FILE), matrix(m, labels)) or an imageShape"
    }
    return ConceptTable(this, data, minOf(concepts, nbConcepts()), top, imageShape, maxRows)
}

/** An [ImageShape], when given, must have one pixel per input value. */
private fun SparseAutoencoder.requireFits(imageShape: ImageShape?) {
    imageShape?.let {
        require(it.size == inputDim()) {
            "imageShape ${it.height}x${it.width} has ${it.size} pixels but the model's input is ${inputDim()}"
        }
    }
}

/** The first [n] rows of [data] as a new array, in the model's dtype. */
internal fun firstRows(data: Dataset, n: Int, model: SparseAutoencoder): INDArray {
    val batch = data.batchesInOrder(n).iterator().next()
    return batch.castTo(model.dtype().nd4j()).dup('c')
}
