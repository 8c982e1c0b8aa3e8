package dev.saekit.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * The static site of a dashboard, which opens from the file system in any browser with nothing
 * loaded from the network:
 *
 * <pre>
 * index.html              every concept: label, density, mean, max, dead/dense flags; sort, filter, search by token
 * concepts/00123.html     one page per concept (see {@link ConceptPage})
 * data/00123.json         the page's data, schema saekit-concept/1 (see {@link ConceptJson})
 * assets/style.css, assets/site.js
 * dashboard.json          what the site shows: the SAE, the rows, counts of dead and dense concepts
 * </pre>
 *
 * The pages are written into a scratch directory inside {@code out} and moved into place at the
 * end, so an interrupted write leaves the previous site (or none), never half of one. Pages read
 * without script; the script only sorts, filters and searches the index ({@code index.html?q=river}
 * opens it searched).
 */
public final class ConceptSite {
    /** The site's record of itself; its presence marks a directory as a dashboard site. */
    public static final String RECORD = "dashboard.json";

    static final String SCHEMA = "saekit-dashboard/1";
    private static final String SCRATCH = ".writing";
    private static final List<String> ENTRIES = List.of("concepts", "data", "assets");

    /** What {@link #write} wrote: files, their bytes and the seconds it took. */
    public record Written(Path directory, int files, long bytes, double seconds) {}

    private ConceptSite() {}

    static Written write(Dashboard d, Path out) throws IOException {
        long t = System.nanoTime();
        Files.createDirectories(out);
        Path scratch = out.resolve(SCRATCH);
        deleteTree(scratch);
        Files.createDirectories(scratch.resolve("concepts"));
        Files.createDirectories(scratch.resolve("data"));
        Files.createDirectories(scratch.resolve("assets"));
        copyAsset("style.css", scratch.resolve("assets"));
        copyAsset("site.js", scratch.resolve("assets"));
        ObjectMapper json = new ObjectMapper();
        int width = Math.max(5, Integer.toString(d.concepts() - 1).length());
        try {
            IntStream.range(0, d.concepts()).parallel().forEach(c -> {
                ConceptView v = d.view(c);
                try {
                    Files.writeString(
                            scratch.resolve("concepts").resolve(file(c, width, "html")),
                            page(d, v, width).outerHtml(),
                            StandardCharsets.UTF_8);
                    Files.writeString(
                            scratch.resolve("data").resolve(file(c, width, "json")),
                            json.writeValueAsString(ConceptJson.of(v, d.kind())) + "\n",
                            StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Files.writeString(
                scratch.resolve("index.html"), IndexPage.document(d, width).outerHtml(), StandardCharsets.UTF_8);
        for (String entry : ENTRIES) {
            deleteTree(out.resolve(entry));
            Files.move(scratch.resolve(entry), out.resolve(entry), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(
                scratch.resolve("index.html"),
                out.resolve("index.html"),
                StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        deleteTree(scratch);
        int files = 3 + 2 * d.concepts();
        long bytes = size(out.resolve("index.html"));
        for (String entry : ENTRIES) {
            bytes += size(out.resolve(entry));
        }
        ObjectNode r = record(d, json);
        AtomicFiles.writeString(out.resolve(RECORD), r.toPrettyString() + "\n");
        bytes += Files.size(out.resolve(RECORD));
        return new Written(out, files + 1, bytes, (System.nanoTime() - t) / 1e9);
    }

    private static ObjectNode record(Dashboard d, ObjectMapper json) {
        ObjectNode r = json.createObjectNode();
        r.put("schema", SCHEMA);
        r.put("title", d.title());
        r.put("variant", d.variant());
        r.put("concepts", d.concepts());
        r.put("rows", d.statistics().rows());
        r.put("data", d.dataDescription());
        r.put("context_kind", d.kind().name().toLowerCase(Locale.ROOT));
        int dead = 0;
        int dense = 0;
        for (int c = 0; c < d.concepts(); c++) {
            dead += d.dead(c) ? 1 : 0;
            dense += d.dense(c) ? 1 : 0;
        }
        r.put("dead", dead);
        r.put("dense", dense);
        r.put("concept_schema", ConceptJson.SCHEMA);
        return r;
    }

    static String file(int concept, int width, String extension) {
        return String.format(Locale.ROOT, "%0" + width + "d.%s", concept, extension);
    }

    private static Document page(Dashboard d, ConceptView v, int width) {
        Document doc = IndexPage.shell(
                "Concept " + v.index() + (v.name() != null ? ": " + v.name() : "") + " · " + d.title(), "../assets/");
        Element body = doc.body().addClass("concept-page");
        Element nav = body.appendElement("nav");
        nav.appendElement("a").attr("href", "../index.html").text("all concepts");
        if (v.index() > 0) {
            nav.appendText(" · ");
            nav.appendElement("a")
                    .attr("href", file(v.index() - 1, width, "html"))
                    .attr("rel", "prev")
                    .text("← " + (v.index() - 1));
        }
        if (v.index() + 1 < d.concepts()) {
            nav.appendText(" · ");
            nav.appendElement("a")
                    .attr("href", file(v.index() + 1, width, "html"))
                    .attr("rel", "next")
                    .text((v.index() + 1) + " →");
        }
        nav.appendText(" · ");
        nav.appendElement("a")
                .attr("href", "../data/" + file(v.index(), width, "json"))
                .text("JSON");
        body.appendChild(ConceptPage.body(v, d.kind(), c -> file(c, width, "html"), d.imageHeight(), d.imageWidth()));
        return doc;
    }

    /** One concept's page for a notebook: the style sheet inline, no script, concepts not linked. */
    static String fragment(Dashboard d, int concept) {
        Element wrapper = new Element("div").addClass("saekit-concept");
        wrapper.appendElement("style").appendChild(new org.jsoup.nodes.DataNode(scoped(asset("style.css"))));
        wrapper.appendChild(ConceptPage.body(d.view(concept), d.kind(), c -> null, d.imageHeight(), d.imageWidth()));
        return wrapper.outerHtml();
    }

    /** The style sheet scoped to a notebook's {@code .saekit-concept} block, so it styles nothing else. */
    private static String scoped(String css) {
        StringBuilder out = new StringBuilder();
        for (String rule : css.split("}")) {
            int brace = rule.indexOf('{');
            if (brace < 0) {
                continue;
            }
            String selectors = rule.substring(0, brace).trim();
            if (selectors.startsWith("body") || selectors.startsWith(":root")) {
                selectors = ".saekit-concept";
            } else {
                selectors = Stream.of(selectors.split(","))
                        .map(s -> ".saekit-concept " + s.trim())
                        .reduce((a, b) -> a + ", " + b)
                        .orElse("");
            }
            out.append(selectors).append(' ').append(rule.substring(brace)).append("}\n");
        }
        return out.toString();
    }

    static String asset(String name) {
        try (InputStream in = ConceptSite.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard's " + name + " is missing from its jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyAsset(String name, Path dir) throws IOException {
        Files.writeString(dir.resolve(name), asset(name), StandardCharsets.UTF_8);
    }

    private static long size(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return Files.size(p);
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(f -> f.toFile().length())
                    .sum();
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
