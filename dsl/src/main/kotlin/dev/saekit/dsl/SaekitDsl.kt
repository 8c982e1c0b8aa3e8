package dev.saekit.dsl

/**
 * The one DSL marker of saekit's builders: inside a nested block only the innermost builder's
 * members resolve without a qualifier, so a training option cannot land on a model by accident.
 */
@DslMarker @Target(AnnotationTarget.CLASS) annotation class SaekitDsl
