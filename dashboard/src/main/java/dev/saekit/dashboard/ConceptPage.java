package dev.saekit.dashboard;

import java.util.List;
import java.util.Locale;
import org.jsoup.nodes.Element;

/**
 * A concept's page as HTML elements: its numbers, its top contexts with every token shaded by its
 * activation and the kept token marked, samples from each quantile band, the activation histogram,
 * the labels it fires on most, and the concepts with the nearest atoms and the most shared rows.
 * Text goes in through jsoup's text nodes, so a token or a name such as {@code <script>} is shown as
 * text. The same elements make the site's page and a notebook's inline view.
 */
final class ConceptPage {
    private ConceptPage() {}

    /** Links from one concept to another: the site's page file, or nothing (a notebook). */
    interface Links {
        String concept(int index);
    }

    /** The page's body content for {@code v}. */
    static Element body(ConceptView v, RowContexts.Kind kind, Links links, int imageHeight, int imageWidth) {
        Element main = new Element("main").addClass("concept").attr("data-concept", Integer.toString(v.index()));
        Element h1 = main.appendElement("h1").text("Concept " + v.index());
        if (v.name() != null && !v.name().isEmpty()) {
            h1.appendText(" ").appendElement("span").addClass("name").text(v.name());
        }
        main.appendElement("p").addClass("label").text(v.label().isEmpty() ? "(no label)" : v.label());
        if (v.dead()) {
            main.appendElement("p").addClass("flag dead").text("Dead: it never fired on these " + v.rows() + " rows.");
        } else if (v.dense()) {
            main.appendElement("p")
                    .addClass("flag dense")
                    .text("Dense: it fires on " + percent(v.density()) + " of rows.");
        }
        Element stats = main.appendElement("dl").addClass("stats");
        stat(stats, "density", percent(v.density()));
        stat(stats, "fired on", String.format(Locale.ROOT, "%,d of %,d rows", v.fired(), v.rows()));
        stat(stats, "mean when fired", num(v.mean()));
        stat(stats, "std", num(v.std()));
        stat(stats, "max", num(v.max()));
        if (v.min() < 0) {
            stat(stats, "min", num(v.min()));
        }
        if (v.atomPixels() != null) {
            Element atom = main.appendElement("section").attr("id", "atom");
            atom.appendElement("h2").text("Atom");
            atom.appendElement("img")
                    .addClass("atom")
                    .attr("alt", "atom " + v.index())
                    .attr("src", Images.atomUri(v.atomPixels(), imageHeight, imageWidth));
        }
        Element top = main.appendElement("section").attr("id", "top");
        top.appendElement("h2").text("Top activations");
        contexts(top, v.contexts().top(), v.max(), kind, imageHeight, imageWidth);
        Element quantiles = main.appendElement("section").attr("id", "quantiles");
        quantiles.appendElement("h2").text("Across its activations");
        List<ContextValues.Band> bands = v.contexts().bands();
        if (bands.isEmpty()) {
            quantiles.appendElement("p").addClass("empty").text("It never fired.");
        }
        for (int b = bands.size(); b >= 1; b--) {
            ContextValues.Band band = bands.get(b - 1);
            quantiles
                    .appendElement("h3")
                    .text(String.format(
                            Locale.ROOT,
                            "%d-%d%% of its activations (%s to %s)",
                            band.fromPercent(),
                            band.toPercent(),
                            num(band.low()),
                            num(band.high())));
            contexts(quantiles, v.contexts().band(b), v.max(), kind, imageHeight, imageWidth);
        }
        Element histogram = main.appendElement("section").attr("id", "histogram");
        histogram.appendElement("h2").text("Activation histogram");
        histogram.appendChild(Histograms.svg(v.histogram()));
        if (!v.labels().isEmpty()) {
            Element labels = main.appendElement("section").attr("id", "labels");
            labels.appendElement("h2")
                    .text(kind == RowContexts.Kind.TOKENS ? "Tokens it fires on most" : "Labels it fires on most");
            if (v.labelError() > 0) {
                labels.appendElement("p")
                        .addClass("note")
                        .text("Counts are kept in bounded memory: each is at most " + v.labelError()
                                + " below the true count.");
            }
            Element table = labels.appendElement("table").addClass("labels");
            Element head = table.appendElement("thead").appendElement("tr");
            head.appendElement("th").text(kind == RowContexts.Kind.TOKENS ? "token" : "label");
            head.appendElement("th").text("count");
            head.appendElement("th").text("mean activation");
            Element body = table.appendElement("tbody");
            for (ConceptView.Labelled l : v.labels()) {
                Element tr = body.appendElement("tr");
                tr.appendElement("td").addClass("token").text(l.text());
                tr.appendElement("td").addClass("num").text(String.format(Locale.ROOT, "%,d", l.count()));
                tr.appendElement("td").addClass("num").text(num(l.meanValue()));
            }
        }
        Element similar = main.appendElement("section").attr("id", "similar");
        similar.appendElement("h2").text("Nearest atoms");
        Element st = similar.appendElement("table").addClass("neighbours");
        Element sh = st.appendElement("thead").appendElement("tr");
        sh.appendElement("th").text("concept");
        sh.appendElement("th").text("label");
        sh.appendElement("th").text("cosine");
        Element sb = st.appendElement("tbody");
        for (ConceptView.Neighbour n : v.similar()) {
            Element tr = sb.appendElement("tr");
            link(tr.appendElement("td"), n.concept(), links);
            tr.appendElement("td").text(n.label());
            tr.appendElement("td").addClass("num").text(String.format(Locale.ROOT, "%.3f", n.cosine()));
        }
        Element cofiring = main.appendElement("section").attr("id", "cofiring");
        cofiring.appendElement("h2").text("Fires most often with");
        if (v.cofiring().isEmpty()) {
            cofiring.appendElement("p")
                    .addClass("empty")
                    .text(v.dead() ? "It never fired." : "No concept fired with it (or co-firing was not counted).");
        } else {
            Element ct = cofiring.appendElement("table").addClass("partners");
            Element ch = ct.appendElement("thead").appendElement("tr");
            ch.appendElement("th").text("concept");
            ch.appendElement("th").text("label");
            ch.appendElement("th").text("rows both fired");
            ch.appendElement("th").text("share of this one's");
            ch.appendElement("th").text("Jaccard");
            Element cb = ct.appendElement("tbody");
            for (ConceptView.Partner p : v.cofiring()) {
                Element tr = cb.appendElement("tr");
                link(tr.appendElement("td"), p.concept(), links);
                tr.appendElement("td").text(p.label());
                tr.appendElement("td").addClass("num").text(String.format(Locale.ROOT, "%,d", p.count()));
                tr.appendElement("td").addClass("num").text(percent(p.ofThis()));
                tr.appendElement("td").addClass("num").text(String.format(Locale.ROOT, "%.3f", p.jaccard()));
            }
        }
        return main;
    }

    private static void link(Element td, int concept, Links links) {
        String href = links.concept(concept);
        if (href == null) {
            td.text(Integer.toString(concept));
        } else {
            td.appendElement("a").attr("href", href).text(Integer.toString(concept));
        }
    }

    /** Contexts as a list: the kept value, then the rows around it, each shaded by its activation relative to {@code scale}. */
    private static void contexts(
            Element parent, List<ContextValues.Shown> shown, double scale, RowContexts.Kind kind, int h, int w) {
        if (shown.isEmpty()) {
            return;
        }
        Element list = parent.appendElement("ol").addClass(kind == RowContexts.Kind.IMAGES ? "images" : "contexts");
        for (ContextValues.Shown s : shown) {
            Element li = list.appendElement("li").addClass("context");
            li.appendElement("span").addClass("value").text(num(s.hit().value()));
            if (kind == RowContexts.Kind.IMAGES && s.pixels() != null) {
                li.appendElement("img")
                        .attr("alt", "row " + s.hit().row())
                        .attr(
                                "title",
                                "row " + s.hit().row() + ": " + num(s.hit().value()))
                        .attr("src", Images.rowUri(s.pixels(), h, w));
                li.appendElement("span").addClass("caption").text(s.window().caption());
                continue;
            }
            Element tokens = li.appendElement("span").addClass("tokens");
            List<String> texts = s.window().texts();
            for (int i = 0; i < texts.size(); i++) {
                String t = texts.get(i);
                boolean piece = kind == RowContexts.Kind.TOKENS && t.startsWith("##") && t.length() > 2;
                if (i > 0 && !piece) {
                    tokens.appendText(" ");
                }
                String shownText = piece ? t.substring(2) : t;
                float value = s.values()[i];
                if (value == 0 && i != s.peak()) {
                    tokens.appendText(shownText);
                    continue;
                }
                Element tok = tokens.appendElement("span")
                        .addClass(value < 0 ? "tok neg" : "tok")
                        .text(shownText);
                double a = scale > 0 ? Math.min(1.0, Math.abs(value) / scale) : 0;
                tok.attr("style", String.format(Locale.ROOT, "--a:%.2f", a));
                tok.attr("title", num(value));
                if (i == s.peak()) {
                    tok.addClass("peak");
                }
            }
            li.appendElement("span").addClass("caption").text(s.window().caption());
        }
    }

    private static void stat(Element dl, String name, String value) {
        dl.appendElement("dt").text(name);
        dl.appendElement("dd").text(value);
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e5)
                ? String.format(Locale.ROOT, "%.3g", v)
                : String.format(Locale.ROOT, "%.4g", v);
    }

    static String percent(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return v != 0 && v < 1e-4
                ? String.format(Locale.ROOT, "%.2g%%", 100 * v)
                : String.format(Locale.ROOT, "%.3f%%", 100 * v);
    }
}
