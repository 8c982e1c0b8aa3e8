package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest of an extraction directory: written atomically, read back equal, other versions refused. */
class ActivationManifestTest {
    @TempDir
    Path dir;

    private static ActivationManifest manifest(boolean complete) {
        ActivationManifest.Tap tap = new ActivationManifest.Tap(
                "encoder.out",
                "encoder_out",
                "[1, ?, 4]",
                4,
                30,
                0,
                List.of(
                        new ActivationManifest.Shard("shard-00000.npy", 20),
                        new ActivationManifest.Shard("shard-00001.npy", 10)));
        return new ActivationManifest(
                ActivationManifest.FORMAT_VERSION,
                complete,
                "model.onnx",
                "0",
                "lines",
                30,
                20,
                0.5,
                List.of(tap),
                Map.of("seed", 3));
    }

    @Test
    void roundTripsAndReplacesTheEarlierManifest() throws IOException {
        manifest(false).write(dir);
        manifest(true).write(dir); // the final manifest replaces the one written after a shard
        assertEquals(manifest(true), ActivationManifest.read(dir));
        try (var files = Files.list(dir)) {
            assertEquals(
                    List.of(dir.resolve(ActivationManifest.FILE_NAME)), files.toList(), "no temporary file is left");
        }
        String json = Files.readString(dir.resolve(ActivationManifest.FILE_NAME));
        assertTrue(json.contains("\"format_version\" : 1") && json.contains("\"rows_per_shard\" : 20"), json);
    }

    @Test
    void anotherFormatVersionIsRefused() throws IOException {
        manifest(true).write(dir);
        Path file = dir.resolve(ActivationManifest.FILE_NAME);
        Files.writeString(
                file,
                Files.readString(file).replace("\"format_version\" : 1", "\"format_version\" : 7"),
                StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> ActivationManifest.read(dir));
        assertEquals(file + ": format_version 7 is not one this saekit reads (1)", e.getMessage());
    }
}
