package dev.saekit.dashboard;

import dev.saekit.concepts.ConceptStatistics;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * The site's index: every concept in one table (rendered in the HTML, so it reads without script)
 * with its automatic label, name, density, mean and largest activation and its flags, above a
 * histogram of the concepts' densities. Each row carries its concept's tokens, normalised (lower
 * case, no {@code ##}), which the script's search matches.
 */
final class IndexPage {
    private IndexPage() {}

    /** An empty page: UTF-8, a title, the style sheet under {@code assets}. */
    static Document shell(String title, String assets) {
        Document doc = Document.createShell("");
        doc.outputSettings().prettyPrint(false);
        doc.head().appendElement("meta").attr("charset", "utf-8");
        doc.head()
                .appendElement("meta")
                .attr("name", "viewport")
                .attr("content", "width=device-width, initial-scale=1");
        doc.head().appendElement("meta").attr("name", "generator").attr("content", "saekit dashboard");
        doc.title(title);
        doc.head().appendElement("link").attr("rel", "stylesheet").attr("href", assets + "style.css");
        return doc;
    }

    static Document document(Dashboard d, int width) {
        Document doc = shell("Concepts · " + d.title(), "assets/");
        Element body = doc.body().addClass("index-page");
        Element header = body.appendElement("header");
        header.appendElement("h1").text("Concepts");
        header.appendElement("p").addClass("title").text(d.title());
        ConceptStatistics s = d.statistics();
        int dead = 0;
        int dense = 0;
        for (int c = 0; c < d.concepts(); c++) {
            dead += d.dead(c) ? 1 : 0;
            dense += d.dense(c) ? 1 : 0;
        }
        header.appendElement("p")
                .addClass("summary")
                .text(String.format(
                        Locale.ROOT,
                        "%,d concepts over %,d rows: %,d dead (never fired), %,d dense.",
                        d.concepts(),
                        s.rows(),
                        dead,
                        dense));
        Element density = body.appendElement("section").attr("id", "densities");
        density.appendElement("h2").text("Densities");
        density.appendChild(densityHistogram(d));
        Element controls = body.appendElement("section").attr("id", "controls");
        controls.appendElement("label").attr("for", "search").text("Find concepts by token, name or number ");
        controls.appendElement("input")
                .attr("id", "search")
                .attr("type", "search")
                .attr("placeholder", d.kind() == RowContexts.Kind.TOKENS ? "e.g. river" : "a label, a name or a number")
                .attr("autocomplete", "off");
        controls.appendText(" ");
        Element select = controls.appendElement("select").attr("id", "flag").attr("aria-label", "show");
        for (String[] o : new String[][] {
            {"all", "all concepts"}, {"alive", "alive"}, {"dead", "dead only"}, {"dense", "dense only"}
        }) {
            select.appendElement("option").attr("value", o[0]).text(o[1]);
        }
        controls.appendText(" ");
        controls.appendElement("span")
                .attr("id", "count")
                .attr("role", "status")
                .text(String.format(Locale.ROOT, "%,d concepts", d.concepts()));
        Element table = body.appendElement("table").attr("id", "concepts");
        Element head = table.appendElement("thead").appendElement("tr");
        header(head, "id", "concept", "num");
        header(head, "label", "label", "text");
        header(head, "name", "name", "text");
        header(head, "density", "density", "num");
        header(head, "mean", "mean", "num");
        header(head, "max", "max", "num");
        header(head, "flag", "flag", "text");
        Element tbody = table.appendElement("tbody");
        for (int c = 0; c < d.concepts(); c++) {
            String flag = d.dead(c) ? "dead" : d.dense(c) ? "dense" : "alive";
            Element tr = tbody.appendElement("tr")
                    .addClass(flag)
                    .attr("data-id", Integer.toString(c))
                    .attr("data-label", d.label(c))
                    .attr("data-name", d.name(c) == null ? "" : d.name(c))
                    .attr("data-density", number(s.density(c)))
                    .attr("data-mean", number(s.fired(c) == 0 ? 0 : s.mean(c)))
                    .attr("data-max", number(s.max(c)))
                    .attr("data-flag", flag)
                    .attr("data-tokens", String.join("\t", tokens(d, s, c)));
            tr.appendElement("td")
                    .addClass("num")
                    .appendElement("a")
                    .attr("href", "concepts/" + ConceptSite.file(c, width, "html"))
                    .text(Integer.toString(c));
            tr.appendElement("td").addClass("label").text(d.label(c));
            tr.appendElement("td").addClass("name").text(d.name(c) == null ? "" : d.name(c));
            tr.appendElement("td").addClass("num").text(ConceptPage.percent(s.density(c)));
            tr.appendElement("td").addClass("num").text(s.fired(c) == 0 ? "" : ConceptPage.num(s.mean(c)));
            tr.appendElement("td").addClass("num").text(s.fired(c) == 0 ? "" : ConceptPage.num(s.max(c)));
            tr.appendElement("td").addClass("flag").text(flag.equals("alive") ? "" : flag);
        }
        body.appendElement("p").attr("id", "nomatch").attr("hidden", "").text("No concept has that among its tokens.");
        body.appendElement("footer")
                .text("Made by saekit dashboard. Each concept's data: data/NNNNN.json (schema " + ConceptJson.SCHEMA
                        + ").");
        body.appendElement("script").attr("src", "assets/site.js");
        return doc;
    }

    /** The concept's listed labels, normalised as the search normalises a query. */
    private static List<String> tokens(Dashboard d, ConceptStatistics s, int c) {
        Set<String> out = new LinkedHashSet<>();
        for (String t : d.tokens(c)) {
            out.add(normalise(t));
        }
        return new ArrayList<>(out);
    }

    /** Lower case, trimmed, without a word piece's {@code ##}; tabs (the list's separator) become spaces. */
    static String normalise(String token) {
        String t = token.strip().toLowerCase(Locale.ROOT).replace('\t', ' ');
        return t.startsWith("##") && t.length() > 2 ? t.substring(2) : t;
    }

    private static void header(Element tr, String key, String text, String type) {
        tr.appendElement("th")
                .attr("data-key", key)
                .attr("data-type", type)
                .attr("tabindex", "0")
                .text(text);
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "0";
    }

    /** Concepts per decade of density (dead ones apart), as SVG bars. */
    private static Element densityHistogram(Dashboard d) {
        ConceptStatistics s = d.statistics();
        int lo = -8;
        int[] counts = new int[-lo + 1]; // [10^e, 10^(e+1)) for e in lo..0, the last holding density 1
        int dead = 0;
        for (int c = 0; c < d.concepts(); c++) {
            double x = s.density(c);
            if (!(x > 0)) {
                dead++;
                continue;
            }
            int e = (int) Math.floor(Math.log10(x));
            counts[Math.max(0, Math.min(counts.length - 1, e - lo))]++;
        }
        int max = dead;
        for (int n : counts) {
            max = Math.max(max, n);
        }
        int w = 640;
        int h = 150;
        int bars = counts.length + 1;
        double bw = (w - 20) / (double) bars;
        Element svg = new Element("svg")
                .attr("xmlns", "http://www.w3.org/2000/svg")
                .attr("width", Integer.toString(w))
                .attr("height", Integer.toString(h))
                .addClass("histogram");
        for (int i = 0; i < bars; i++) {
            int n = i == 0 ? dead : counts[i - 1];
            String name = i == 0 ? "dead" : String.format(Locale.ROOT, "1e%d", lo + i - 1);
            double bh = max == 0 ? 0 : (h - 40) * (double) n / max;
            double x = 10 + i * bw;
            if (n > 0) {
                Element r = svg.appendElement("rect")
                        .addClass(i == 0 ? "bar dead" : "bar")
                        .attr("x", String.format(Locale.ROOT, "%.1f", x))
                        .attr("y", String.format(Locale.ROOT, "%.1f", h - 24 - Math.max(1, bh)))
                        .attr("width", String.format(Locale.ROOT, "%.1f", bw - 2))
                        .attr("height", String.format(Locale.ROOT, "%.1f", Math.max(1, bh)));
                r.appendElement("title").text(name + ": " + n + " concepts");
                svg.appendElement("text")
                        .attr("x", String.format(Locale.ROOT, "%.1f", x + bw / 2))
                        .attr("y", String.format(Locale.ROOT, "%.1f", h - 28 - Math.max(1, bh)))
                        .attr("text-anchor", "middle")
                        .text(Integer.toString(n));
            }
            svg.appendElement("text")
                    .attr("x", String.format(Locale.ROOT, "%.1f", x + bw / 2))
                    .attr("y", Integer.toString(h - 8))
                    .attr("text-anchor", "middle")
                    .text(name);
        }
        return svg;
    }
}
