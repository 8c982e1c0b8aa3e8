package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.saekit.io.Npy;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.SeededRandom;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code saekit dashboard}: a site from the embedded words, from a harvest of MiniLM tokens, and its mistakes in one line each. */
class DashboardCommandTest {
    @TempDir
    static Path tmp;

    private static Path words;

    @BeforeAll
    static void trainOnTheEmbeddedWords() {
        Path run = tmp.resolve("words");
        CliRun trained = CliRun.of(
                "train",
                "--variant",
                "topk",
                "--k",
                "4",
                "--concepts",
                "48",
                "--epochs",
                "1",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                run.toString());
        assertEquals(0, trained.exitCode(), trained.err());
        words = run;
    }

    private static CliRun dashboard(String... more) {
        String[] args = new String[2 + more.length];
        args[0] = "dashboard";
        args[1] = "--no-progress";
        System.arraycopy(more, 0, args, 2, more.length);
        return CliRun.of(args);
    }

    @Test
    void aSiteOfTheEmbeddedWordsIsWrittenAndItsFinishedScanReused() throws IOException {
        Path site = tmp.resolve("site-words");
        Path names = tmp.resolve("names.tsv");
        Files.writeString(names, "# concept names\n0\t<script>x</script>\n", StandardCharsets.UTF_8);
        CliRun run = dashboard("--sae", words.toString(), "--out", site.toString(), "--names", names.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                run.out()
                        .matches(
                                "(?s)scanned   10,000 rows x 48 concepts: 10,000 rows in [0-9.]+ s, [0-9,]+ rows x concepts"
                                        + " per second .*"),
                run.out());
        assertTrue(run.out().contains("wrote     " + site.resolve("index.html") + ": 100 files, "), run.out());
        Document index = Jsoup.parse(site.resolve("index.html").toFile(), "UTF-8");
        assertEquals(48, index.select("#concepts tbody tr").size());
        assertEquals(
                "<script>x</script>",
                index.selectFirst("#concepts tbody tr td.name").text());
        JsonNode concept =
                new ObjectMapper().readTree(site.resolve("data/00000.json").toFile());
        assertEquals("labels", concept.get("context_kind").asText());

        CliRun again = dashboard("--sae", words.toString(), "--out", site.toString());
        assertEquals(0, again.exitCode(), again.err());
        assertTrue(again.out().contains("(the saved scan was finished)"), again.out());
        CliRun otherBlocks = dashboard("--sae", words.toString(), "--out", site.toString(), "--batch-size", "500");
        assertTrue(otherBlocks.out().contains("(the saved scan was finished)"), otherBlocks.err());
        CliRun otherSegments = dashboard("--sae", words.toString(), "--out", site.toString(), "--segment-rows", "4096");
        assertEquals(1, otherSegments.exitCode());
        assertTrue(otherSegments.err().contains("another segment rows (8192, now 4096)"), otherSegments.err());

        CliRun other = dashboard("--sae", words.toString(), "--out", site.toString(), "--top", "5");
        assertEquals(1, other.exitCode());
        assertTrue(other.err().contains("other settings"), other.err());
        CliRun overwrite = dashboard("--sae", words.toString(), "--out", site.toString(), "--top", "5", "--overwrite");
        assertEquals(0, overwrite.exitCode(), overwrite.err());
        assertEquals(
                5,
                new ObjectMapper()
                        .readTree(site.resolve("data/00000.json").toFile())
                        .get("activations")
                        .size());
    }

    @Test
    void aHarvestShowsTokensInTheirDocuments() throws IOException {
        Path harvest = tmp.resolve("harvest");
        CliRun h = CliRun.of(
                "harvest",
                "--out",
                harvest.toString(),
                "--no-progress",
                "--threads",
                "1",
                "--tokens",
                "600",
                "--tap",
                "residual:3");
        assertEquals(0, h.exitCode(), h.err());
        Path run = tmp.resolve("minilm-run");
        CliRun trained = CliRun.of(
                "train",
                "--data",
                harvest.toString(),
                "--variant",
                "topk",
                "--k",
                "8",
                "--concepts",
                "64",
                "--epochs",
                "2",
                "--center",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                run.toString());
        assertEquals(0, trained.exitCode(), trained.err());
        Path site = tmp.resolve("site-tokens");
        CliRun d = dashboard(
                "--sae", run.toString(), "--data", harvest.toString(), "--out", site.toString(), "--window", "4");
        assertEquals(0, d.exitCode(), d.err());
        JsonNode concept =
                new ObjectMapper().readTree(site.resolve("data/00000.json").toFile());
        assertEquals("tokens", concept.get("context_kind").asText());
        JsonNode first = concept.get("activations").get(0);
        assertTrue(first.get("tokens").size() > 1 && first.get("tokens").size() <= 9, first.toString());
        assertTrue(first.get("caption").asText().startsWith("document "), first.toString());
        assertFalse(concept.get("top_labels").isEmpty(), "tokens it fires on");
        Document page = Jsoup.parse(site.resolve("concepts/00000.html").toFile(), "UTF-8");
        assertFalse(page.select("#top .tokens .peak").isEmpty());
        assertEquals("Tokens it fires on most", page.selectFirst("#labels h2").text());
    }

    @Test
    void imageRowsAndTheirAtomsAreDrawn() throws IOException {
        Path data = tmp.resolve("images.npy");
        Npy.write(data, new SeededRandom(3).normal(DType.FLOAT32, 1, 400, 64));
        Path run = tmp.resolve("images-run");
        CliRun trained = CliRun.of(
                "train",
                "--data",
                data.toString(),
                "--variant",
                "topk",
                "--k",
                "4",
                "--concepts",
                "16",
                "--epochs",
                "1",
                "--no-progress",
                "--top-concepts",
                "0",
                "--out",
                run.toString());
        assertEquals(0, trained.exitCode(), trained.err());
        Path site = tmp.resolve("site-images");
        CliRun d = dashboard(
                "--sae", run.toString(), "--data", data.toString(), "--image-shape", "8x8", "--out", site.toString());
        assertEquals(0, d.exitCode(), d.err());
        Document page = Jsoup.parse(site.resolve("concepts/00000.html").toFile(), "UTF-8");
        assertTrue(page.selectFirst("img.atom").attr("src").startsWith("data:image/png;base64,"));
        assertFalse(page.select("#top ol.images img").isEmpty(), "the top rows as images");
        assertError(
                1,
                "an image shape of 8x9 = 72 values does not match rows of width 64",
                "--sae",
                run.toString(),
                "--data",
                data.toString(),
                "--image-shape",
                "8x9",
                "--out",
                tmp.resolve("f").toString());
    }

    @Test
    void mistakesAreOneLineErrors() throws IOException {
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        assertError(
                2,
                "--out " + foreign + " is not empty and is not a saekit dashboard (notes.txt)",
                "--sae",
                words.toString(),
                "--out",
                foreign.toString());
        assertError(
                2,
                "--image-shape: give H x W as e.g. 28x28, was '28'",
                "--sae",
                words.toString(),
                "--data",
                "x.npy",
                "--out",
                tmp.resolve("a").toString(),
                "--image-shape",
                "28");
        assertError(
                2,
                "--name describes --data; give --data as well",
                "--sae",
                words.toString(),
                "--out",
                tmp.resolve("b").toString(),
                "--name",
                "residual:3");
        Path wide = tmp.resolve("wide.npy");
        Npy.write(wide, new SeededRandom(1).normal(DType.FLOAT32, 1, 20, 7));
        assertError(
                1,
                "has rows of width 7 but the SAE reads rows of width 100",
                "--sae",
                words.toString(),
                "--data",
                wide.toString(),
                "--out",
                tmp.resolve("c").toString());
        Path names = tmp.resolve("bad-names.tsv");
        Files.writeString(names, "99\tout of range\n");
        assertError(
                1,
                "--names " + names + " line 1: concept 99 is not one of the SAE's concepts 0..47",
                "--sae",
                words.toString(),
                "--out",
                tmp.resolve("d").toString(),
                "--names",
                names.toString());
        assertError(
                2,
                "--top must be > 0, was 0",
                "--sae",
                words.toString(),
                "--out",
                tmp.resolve("e").toString(),
                "--top",
                "0");
        assertFalse(Files.exists(tmp.resolve("e")), "nothing written on a usage error");
    }

    private static void assertError(int code, String message, String... args) {
        CliRun r = dashboard(args);
        assertEquals(code, r.exitCode(), r.err());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains(message), "expected '" + message + "' in: " + r.err());
    }
}
