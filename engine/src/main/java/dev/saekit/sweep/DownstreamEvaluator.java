package dev.saekit.sweep;

import dev.saekit.model.SparseAutoencoder;
import java.io.IOException;
import java.util.Map;

/**
 * Columns of a sweep's frontier measured outside the SAE: for instance the fraction of a model's
 * output recovered when a cell's reconstruction is spliced into it ({@code fraction_recovered}), or
 * the cosine of the spliced output to the clean one. The sweep calls it once per trained cell, after
 * its own metrics, and puts the returned values in the cell's {@code result.json} and as columns of
 * {@code frontier.csv}; a sweep without one has no such columns.
 */
@FunctionalInterface
public interface DownstreamEvaluator {

    /**
     * The columns of {@code cell}, by name (lower case letters, digits and {@code _}), for its
     * trained {@code model} in evaluation mode, which reads rows as {@code preprocessing} makes them
     * from raw activations.
     */
    Map<String, Double> evaluate(SparseAutoencoder model, Preprocessing preprocessing, SweepCell cell)
            throws IOException;
}
