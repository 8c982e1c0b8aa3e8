package dev.saekit.dashboard;

import dev.saekit.concepts.Histogram;
import java.util.List;

/**
 * Everything a concept's page and its JSON export show, gathered from the statistics, the contexts
 * and the dictionary: one record per concept, so that the page, the JSON and a notebook's inline
 * view say the same.
 */
public record ConceptView(
        int index,
        String name,
        String label,
        long rows,
        Histogram histogram,
        long fired,
        double density,
        double mean,
        double std,
        double max,
        double min,
        boolean dead,
        boolean dense,
        List<Labelled> labels,
        long labelError,
        ContextValues.ConceptContexts contexts,
        List<Neighbour> similar,
        List<Partner> cofiring,
        float[] atomPixels) {

    /** A label the concept fires on: its text, how often (a lower bound when {@code labelError > 0}) and the mean activation. */
    public record Labelled(int id, String text, long count, double meanValue) {}

    /** A concept whose atom is near this one's. */
    public record Neighbour(int concept, String label, float cosine) {}

    /** A concept that fires on the same rows: how often both fired, and the Jaccard index of their rows. */
    public record Partner(int concept, String label, long count, double jaccard, double ofThis) {}

    public ConceptView {
        labels = List.copyOf(labels);
        similar = List.copyOf(similar);
        cofiring = List.copyOf(cofiring);
    }
}
