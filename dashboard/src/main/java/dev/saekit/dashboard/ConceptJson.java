package dev.saekit.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.concepts.Histogram;
import java.util.List;

/**
 * A concept's data as JSON, schema {@value #SCHEMA} (documented in docs/dashboard.md). Field names
 * follow Neuronpedia's feature export where they mean the same ({@code index}, {@code maxActApprox},
 * {@code frac_nonzero}, {@code activations} with {@code tokens}, {@code values}, {@code maxValue},
 * {@code maxValueTokenIndex}, {@code freq_hist_data_bar_heights} and {@code _values}); saekit's
 * own fields are snake_case.
 */
final class ConceptJson {
    static final String SCHEMA = "saekit-concept/1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConceptJson() {}

    static ObjectNode of(ConceptView v, RowContexts.Kind kind) {
        ObjectNode n = JSON.createObjectNode();
        n.put("schema", SCHEMA);
        n.put("index", v.index());
        if (v.name() != null) {
            n.put("name", v.name());
        } else {
            n.putNull("name");
        }
        n.put("label", v.label());
        n.put("rows", v.rows());
        n.put("fired", v.fired());
        number(n, "frac_nonzero", v.density());
        number(n, "mean_act", v.mean());
        number(n, "std_act", v.std());
        number(n, "maxActApprox", v.max());
        number(n, "min_act", v.min());
        n.put("dead", v.dead());
        n.put("dense", v.dense());
        n.put("context_kind", kind.name().toLowerCase(java.util.Locale.ROOT));
        ArrayNode acts = n.putArray("activations");
        for (ContextValues.Shown s : v.contexts().top()) {
            acts.add(context(s));
        }
        ArrayNode bands = n.putArray("quantiles");
        List<ContextValues.Band> bandList = v.contexts().bands();
        for (int b = 1; b <= bandList.size(); b++) {
            ContextValues.Band band = bandList.get(b - 1);
            ObjectNode o = bands.addObject();
            o.put("from_percent", band.fromPercent());
            o.put("to_percent", band.toPercent());
            o.put("low", band.low());
            o.put("high", band.high());
            ArrayNode a = o.putArray("activations");
            for (ContextValues.Shown s : v.contexts().band(b)) {
                a.add(context(s));
            }
        }
        Histogram h = v.histogram();
        ArrayNode heights = n.putArray("freq_hist_data_bar_heights");
        ArrayNode values = n.putArray("freq_hist_data_bar_values");
        double[] edges = h.edges();
        for (int i = 0; i < h.counts().length; i++) {
            heights.add(h.counts()[i]);
            values.add(Math.sqrt(edges[i] * edges[i + 1])); // the bin's geometric centre
        }
        ObjectNode hist = n.putObject("histogram");
        ArrayNode e = hist.putArray("edges");
        for (double x : edges) {
            e.add(x);
        }
        hist.put("underflow", h.underflow());
        hist.put("overflow", h.overflow());
        ArrayNode c = hist.putArray("counts");
        for (long x : h.counts()) {
            c.add(x);
        }
        hist.put("negative_underflow", h.negativeUnderflow());
        hist.put("negative_overflow", h.negativeOverflow());
        ArrayNode nc = hist.putArray("negative_counts");
        for (long x : h.negativeCounts()) {
            nc.add(x);
        }
        ArrayNode labels = n.putArray("top_labels");
        for (ConceptView.Labelled l : v.labels()) {
            ObjectNode o = labels.addObject();
            o.put("id", l.id());
            o.put("text", l.text());
            o.put("count", l.count());
            number(o, "mean_act", l.meanValue());
        }
        n.put("label_count_error", v.labelError());
        ArrayNode similar = n.putArray("similar_atoms");
        for (ConceptView.Neighbour s : v.similar()) {
            ObjectNode o = similar.addObject();
            o.put("index", s.concept());
            o.put("cosine", s.cosine());
        }
        ArrayNode cofiring = n.putArray("cofiring");
        for (ConceptView.Partner p : v.cofiring()) {
            ObjectNode o = cofiring.addObject();
            o.put("index", p.concept());
            o.put("count", p.count());
            number(o, "jaccard", p.jaccard());
            number(o, "share_of_this", p.ofThis());
        }
        return n;
    }

    private static ObjectNode context(ContextValues.Shown s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("row", s.hit().row());
        o.put("first_row", s.window().first());
        o.put("caption", s.window().caption());
        ArrayNode t = o.putArray("tokens");
        s.window().texts().forEach(t::add);
        ArrayNode v = o.putArray("values");
        for (float x : s.values()) {
            v.add(x);
        }
        o.put("maxValue", s.hit().value());
        o.put("maxValueTokenIndex", s.peak());
        return o;
    }

    /** A number, or null for NaN (JSON has no NaN). */
    private static void number(ObjectNode n, String field, double v) {
        if (Double.isFinite(v)) {
            n.put(field, v);
        } else {
            n.putNull(field);
        }
    }
}
