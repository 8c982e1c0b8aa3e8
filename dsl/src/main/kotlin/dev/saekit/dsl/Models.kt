package dev.saekit.dsl

import dev.saekit.data.Dataset
import dev.saekit.io.Checkpoints
import dev.saekit.io.OvercompleteFormat
import dev.saekit.io.SaeLensFormat
import dev.saekit.metrics.EvalMetrics
import dev.saekit.metrics.Evaluation
import dev.saekit.model.ModelSpec
import dev.saekit.model.SparseAutoencoder
import dev.saekit.tensor.DType
import dev.saekit.train.TrainingProgress
import java.nio.file.Path

/** The metrics of [model] over every row of [data], batch by batch in evaluation mode. */
fun evaluate(model: SparseAutoencoder, data: Dataset, batchSize: Int = 1024): EvalMetrics {
    requirePositive("batchSize", batchSize)
    return Evaluation.of(model, data, batchSize)
}

/**
 * Saves this model as a saekit checkpoint in [directory] (`config.json` with the model's spec and
 * `weights.safetensors`, written atomically); [loadSae] reads it back bit for bit.
 */
fun SparseAutoencoder.save(directory: Path): Path =
    Checkpoints.save(
        directory,
        Checkpoints.State.builder(this, TrainingProgress(0, 0, 0)).build(),
        1,
    )

/**
 * The model of the newest checkpoint in [directory] (a checkpoint root or one `step-N` directory).
 */
fun loadSae(directory: Path): SparseAutoencoder {
    ensureMemoryCaps()
    return Checkpoints.load(directory).model()
}

/**
 * Writes this model as a SAELens `cfg.json` + `sae_weights.safetensors` (vanilla, TopK, JumpReLU,
 * BatchTopK).
 */
fun SparseAutoencoder.saveSaeLens(directory: Path) = SaeLensFormat.write(this, directory)

/** A SAELens directory (standard, topk or jumprelu) as a model in [dtype]. */
fun loadSaeLens(directory: Path, dtype: DType = DType.FLOAT32): SparseAutoencoder =
    SaeLensFormat.read(directory, dtype)

/** Writes this model's state dict under overcomplete's names, as safetensors. */
fun SparseAutoencoder.saveOvercomplete(file: Path) = OvercompleteFormat.write(this, file)

/**
 * An overcomplete state dict (safetensors) loaded into a model of [spec] (e.g. `saeSpec { ... }`).
 */
fun loadOvercomplete(file: Path, spec: ModelSpec): SparseAutoencoder =
    OvercompleteFormat.read(file, spec)
