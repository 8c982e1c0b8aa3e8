package dev.saekit.dsl

/**
 * A DSL value outside its accepted range: the message names the field as the block spells it, the
 * value and what is accepted (`topK.k must be in 1..concepts=64, was 0`).
 */
class InvalidSettingException(val field: String, val value: Any?, val accepted: String) :
    IllegalArgumentException("$field must be $accepted, was ${show(value)}") {

    private companion object {
        fun show(value: Any?): String = if (value is String) "\"$value\"" else value.toString()
    }
}

/** A block that ended without something it needs (`input(width)`, ...). */
class MissingSettingException(val field: String, howToSet: String) :
    IllegalArgumentException("$field is required: $howToSet")

internal fun requireSetting(ok: Boolean, field: String, value: Any?, accepted: String) {
    if (!ok) throw InvalidSettingException(field, value, accepted)
}

internal fun requirePositive(field: String, value: Int) =
    requireSetting(value > 0, field, value, "> 0")

internal fun requirePositive(field: String, value: Double) =
    requireSetting(value > 0 && value.isFinite(), field, value, "finite and > 0")

internal fun requireNonNegative(field: String, value: Double) =
    requireSetting(value >= 0 && value.isFinite(), field, value, "finite and >= 0")

internal fun requireFraction(field: String, value: Double) =
    requireSetting(value >= 0 && value < 1, field, value, "in [0, 1)")
