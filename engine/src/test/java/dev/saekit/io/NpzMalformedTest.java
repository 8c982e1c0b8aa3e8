package dev.saekit.io;

import static dev.saekit.io.IoFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Broken {@code .npz} files: one {@link MalformedFileException} each, and a seeded fuzz run over
 * NumPy's stored and deflated archives in which every mutation is read or refused.
 */
class NpzMalformedTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "empty file | '' | the file is empty; an .npz file is a zip archive",
                "plain text | 'just some text, not a zip archive at all' | not a valid zip archive (.npz): zip END header not found",
                "a lone local header | PK\u0003\u0004 | not a valid zip archive (.npz)",
            })
    void aFileThatIsNotAZipArchiveIsRefused(String what, String content, String expected) throws IOException {
        Path npz = tmp.resolve("x.npz");
        Files.write(npz, content.getBytes(StandardCharsets.ISO_8859_1));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Npz.read(npz));
        assertTrue(e.getMessage().startsWith(npz + ": ") && e.getMessage().contains(expected), e.getMessage());
        assertThrows(MalformedFileException.class, () -> Npz.headers(npz));
    }

    @Test
    void truncatedArchivesAreRefused() throws IOException {
        byte[] valid = Files.readAllBytes(resource("golden-io/numpy/pair_compressed.npz"));
        Path npz = tmp.resolve("cut.npz");
        for (int length = 0; length < valid.length; length += 7) {
            Files.write(npz, Arrays.copyOf(valid, length));
            assertThrows(MalformedFileException.class, () -> Npz.read(npz), "cut at " + length);
        }
    }

    @Test
    @Timeout(300)
    void fuzzedArchivesAreReadOrRefusedWithAMalformedFileException() throws IOException {
        byte[][] seeds = {
            Files.readAllBytes(resource("golden-io/numpy/pair.npz")),
            Files.readAllBytes(resource("golden-io/numpy/pair_compressed.npz")),
        };
        byte[] interesting = "PK\u0001\u0002\u0003\u0004\u0005\u0006\u0008\u0000\u00ff(),:'0123456789 {}<>fiu"
                .getBytes(StandardCharsets.ISO_8859_1);
        Fuzzing.Outcome outcome =
                Fuzzing.run(tmp.resolve("fuzz.npz"), 20_240_603, seeds, Integer.MAX_VALUE, interesting, file -> {
                    Map<String, NpyHeader> headers = Npz.headers(file);
                    Map<String, INDArray> arrays = Npz.read(file);
                    assertEquals(headers.keySet(), arrays.keySet());
                });
        // most mutations break a CRC-32, an offset or the end record; flips in dates and versions are still read
        assertTrue(outcome.read() > 0 && outcome.refused() > outcome.rounds() / 4, outcome.toString());
    }
}
