package dev.saekit.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.sweep.Preprocessing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The site as a browser reads it: parsed back with jsoup, and its JSON as a consumer reads it. */
class ConceptSiteTest {
    private static final String SCRIPT = "<script>alert('saekit')</script>";

    @TempDir
    Path tmp;

    private final INDArray x = Fixtures.rows(Fixtures.ROWS, 1);

    /** Labelled rows, one of whose labels is markup, and concept 0 named with markup. */
    private Dashboard dashboard() throws IOException {
        List<String> labels = new java.util.ArrayList<>(Fixtures.labels(Fixtures.ROWS, 2));
        for (int i = 0; i < labels.size(); i += 7) {
            labels.set(i, SCRIPT);
        }
        return Dashboard.builder(
                        new Encoding(Fixtures.topK(), Preprocessing.none()),
                        RowStream.of(Fixtures.dataset(x, labels)),
                        RowContexts.labels(labels))
                .names(Map.of(0, SCRIPT, 1, "a & b"))
                .build();
    }

    @Test
    void theIndexListsEveryConceptAndLoadsOnlyItsOwnScript() throws IOException {
        Path site = tmp.resolve("site");
        ConceptSite.Written w = dashboard().write(site);
        Document index = Jsoup.parse(site.resolve("index.html").toFile(), "UTF-8");
        List<Element> rows = index.select("#concepts tbody tr");
        assertEquals(Fixtures.CONCEPTS, rows.size());
        for (int c = 0; c < rows.size(); c++) {
            assertEquals(Integer.toString(c), rows.get(c).attr("data-id"));
            assertTrue(Files.isRegularFile(
                    site.resolve(rows.get(c).selectFirst("a").attr("href"))));
        }
        assertEquals(SCRIPT, rows.get(0).selectFirst("td.name").text());
        assertEquals("a & b", rows.get(1).selectFirst("td.name").text());
        assertEquals(List.of("assets/site.js"), index.select("script").eachAttr("src"));
        assertTrue(
                index.select("link[href^=http], script[src^=http], img[src^=http]")
                        .isEmpty(),
                "nothing from the network");
        assertEquals(3 + 2 * Fixtures.CONCEPTS + 1, w.files());
        JsonNode record =
                new ObjectMapper().readTree(site.resolve(ConceptSite.RECORD).toFile());
        assertEquals(Fixtures.CONCEPTS, record.get("concepts").asInt());
        assertEquals(Fixtures.ROWS, record.get("rows").asLong());
    }

    @Test
    void markupInANameOrALabelIsShownAsText() throws IOException {
        Path site = tmp.resolve("site");
        Dashboard d = dashboard();
        d.write(site);
        for (int c = 0; c < Fixtures.CONCEPTS; c++) {
            Document page = Jsoup.parse(
                    site.resolve("concepts")
                            .resolve(ConceptSite.file(c, 5, "html"))
                            .toFile(),
                    "UTF-8");
            assertTrue(page.select("script").isEmpty(), "concept " + c + "'s page holds a script element");
            if (c == 0) {
                assertEquals(SCRIPT, page.selectFirst("span.name").text());
                assertTrue(page.title().contains(SCRIPT));
            }
        }
        String fragment = d.pageHtml(0);
        assertFalse(fragment.contains("<script"), "the notebook fragment holds a script element");
        assertTrue(fragment.contains("&lt;script&gt;"), "the name is escaped in the notebook fragment");
    }

    @Test
    void aConceptPageShowsItsContextsHistogramAndNeighbours() throws IOException {
        Path site = tmp.resolve("site");
        Dashboard d = dashboard();
        d.write(site);
        int c = 3;
        Document page = Jsoup.parse(
                site.resolve("concepts").resolve(ConceptSite.file(c, 5, "html")).toFile(), "UTF-8");
        List<Element> top = page.select("#top li.context");
        assertEquals(Math.min(20, d.statistics().fired(c)), top.size());
        for (Element li : top) {
            assertEquals(1, li.select(".peak").size(), "one peak per context");
        }
        assertFalse(page.select("svg.histogram rect.bar").isEmpty(), "histogram bars");
        assertEquals(8, page.select("#similar tbody tr").size());
        assertFalse(page.select("#cofiring tbody tr").isEmpty());
        assertEquals(4, page.select("#quantiles h3").size());
    }

    @Test
    void eachConceptsJsonFollowsItsSchema() throws IOException {
        Path site = tmp.resolve("site");
        Dashboard d = dashboard();
        d.write(site);
        ObjectMapper json = new ObjectMapper();
        for (int c = 0; c < Fixtures.CONCEPTS; c++) {
            JsonNode n = json.readTree(
                    site.resolve("data").resolve(ConceptSite.file(c, 5, "json")).toFile());
            assertEquals(ConceptJson.SCHEMA, n.get("schema").asText());
            assertEquals(c, n.get("index").asInt());
            assertEquals(d.statistics().fired(c), n.get("fired").asLong());
            assertEquals(d.statistics().density(c), n.get("frac_nonzero").asDouble());
            assertEquals(
                    (float) d.statistics().max(c), (float) n.get("maxActApprox").asDouble());
            for (JsonNode a : n.get("activations")) {
                assertEquals(a.get("tokens").size(), a.get("values").size());
                int peak = a.get("maxValueTokenIndex").asInt();
                assertEquals(
                        a.get("maxValue").floatValue(),
                        a.get("values").get(peak).floatValue());
            }
            long histogram = n.get("histogram").get("underflow").asLong()
                    + n.get("histogram").get("overflow").asLong();
            for (JsonNode k : n.get("histogram").get("counts")) {
                histogram += k.asLong();
            }
            assertEquals(
                    d.statistics().fired(c),
                    histogram,
                    "the positive histogram counts every firing (TopK codes are >= 0)");
            assertEquals(
                    n.get("freq_hist_data_bar_heights").size(),
                    n.get("freq_hist_data_bar_values").size());
        }
    }

    @Test
    void writingAgainReplacesTheSiteWithoutLeftovers() throws IOException {
        Path site = tmp.resolve("site");
        Dashboard d = dashboard();
        d.write(site);
        Files.writeString(site.resolve("concepts").resolve("stale.html"), "old");
        d.write(site);
        assertFalse(Files.exists(site.resolve("concepts").resolve("stale.html")));
        try (Stream<Path> s = Files.list(site)) {
            assertEquals(
                    List.of("assets", "concepts", "dashboard.json", "data", "index.html"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void wordPiecesAreJoinedToTheirWord() {
        RowContexts.Window w = new RowContexts.Window(10, 12, List.of("play", "##ing", "<b>"), "document 1");
        ContextValues.Shown s = new ContextValues.Shown(
                ContextValues.Source.TOP, 0, new dev.saekit.concepts.Hit(11, 2f), w, new float[] {0, 2f, 0.5f}, null);
        Element list = new Element("div");
        ConceptView v = new ConceptView(
                0,
                null,
                "",
                3,
                emptyHistogram(),
                1,
                0.3,
                2,
                0,
                2,
                2,
                false,
                false,
                List.of(),
                0,
                new ContextValues.ConceptContexts(List.of(s), List.of()),
                List.of(),
                List.of(),
                null);
        list.appendChild(ConceptPage.body(v, RowContexts.Kind.TOKENS, c -> null, 0, 0));
        Element tokens = list.selectFirst("#top .tokens");
        assertEquals("playing <b>", tokens.text());
        assertEquals("ing", tokens.selectFirst(".peak").text());
        assertEquals("--a:1.00", tokens.selectFirst(".peak").attr("style"));
        assertEquals("--a:0.25", tokens.select(".tok").get(1).attr("style"));
    }

    @Test
    void theSearchNormalisesTokensAsTheScriptDoes() {
        assertEquals("ing", IndexPage.normalise("##ing"));
        assertEquals("river", IndexPage.normalise(" River "));
        assertEquals("##", IndexPage.normalise("##"));
        assertEquals("a b", IndexPage.normalise("a\tb"));
        String js = ConceptSite.asset("site.js");
        assertTrue(
                js.contains("s.trim().toLowerCase()") && js.contains("indexOf(\"##\") === 0"),
                "site.js normalises the query alike");
    }

    private static dev.saekit.concepts.Histogram emptyHistogram() {
        return new dev.saekit.concepts.Histogram(new double[] {1e-4, 1}, 0, new long[1], 0, 0, new long[1], 0);
    }
}
