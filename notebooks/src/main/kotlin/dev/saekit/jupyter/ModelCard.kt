package dev.saekit.jupyter

import dev.saekit.model.SparseAutoencoder

/** A model as a summary card: variant, shapes, sparsity settings, parameters, dtype and state. */
internal object ModelCard {
    /**
     * The variant's settings as its JSON names them: `k=4, k_per=sample, momentum=0.9`, or `-` when
     * it has none.
     */
    private fun settings(variant: dev.saekit.model.VariantSpec): String {
        val node = com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
        variant.writeSettings(node)
        val parts =
            node
                .fields()
                .asSequence()
                .map { (k, v) -> "$k=${if (v.isTextual) v.asText() else v.toString()}" }
                .toList()
        return if (parts.isEmpty()) "-" else parts.joinToString(", ")
    }

    fun html(model: SparseAutoencoder): String {
        val spec = model.spec()
        val threshold =
            model.parameter("running_threshold").map { it.value().getDouble(0) }.orElse(null)
        val state = buildString {
            append(if (model.isTraining) "training mode" else "evaluation mode")
            if (threshold != null) {
                append(
                    if (threshold.isNaN()) "; running threshold not estimated yet (train first)"
                    else "; running threshold ${Html.num(threshold)}"
                )
            }
        }
        val facts =
            listOf(
                "variant" to spec.variant().name(),
                "coder" to coder(spec.coder()),
                "input" to model.inputDim().toString(),
                "concepts" to model.nbConcepts().toString(),
                "sparsity" to settings(spec.variant()),
                "encoder" to
                    spec.encoder().toString().let {
                        if (it == "Standard[]") model.config().encoder().label() else it
                    },
                "dictionary" to
                    spec.dictionary().toString().let {
                        if (it == "Standard[]")
                            "${model.config().dictionary().normalization()}" +
                                (if (model.config().dictionary().useMultiplier()) " + multiplier"
                                else "")
                        else it
                    },
                "trainable parameters" to
                    String.format(java.util.Locale.ROOT, "%,d", model.trainableCount()),
                "dtype" to model.dtype().toString(),
                "state" to state,
            )
        val card =
            Html.table(
                listOf("", ""),
                facts.map { (k, v) -> listOf("<b>${Html.escape(k)}</b>", Html.escape(v)) },
            )
        val params =
            Html.table(
                listOf("parameter", "shape", "kind"),
                model.parameters().map { p ->
                    listOf(
                        "<code>${Html.escape(p.name())}</code>",
                        p.value().shape().contentToString(),
                        if (p.isTrainable) "trainable" else "buffer",
                    )
                },
            )
        return Html.section("Sparse autoencoder", Html.row(card, params))
    }
}

/**
 * What the model reads and writes, in words: `autoencoder`, `transcoder to 384 (skip path)`,
 * `crosscoder over 2 layers of 384`.
 */
private fun coder(coder: dev.saekit.model.CoderSpec): String =
    when (coder) {
        is dev.saekit.model.CoderSpec.Transcoder ->
            "transcoder to ${coder.outputDim()}" + if (coder.skip()) " (skip path)" else ""
        is dev.saekit.model.CoderSpec.Crosscoder ->
            "crosscoder over ${coder.layers()} layers (${coder.normalization().label()} weights)"
        else -> "autoencoder"
    }
