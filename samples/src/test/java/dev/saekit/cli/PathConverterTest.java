package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class PathConverterTest {
    private final PathConverter converter = new PathConverter();

    @Test
    void pathsAndFileUrisAreLocalPaths() {
        assertEquals(Path.of("runs/a"), converter.convert("runs/a"));
        assertEquals(Path.of("/data/acts.npy"), converter.convert("file:///data/acts.npy"));
        assertEquals(Path.of("/data/acts.npy"), converter.convert("file:/data/acts.npy"));
        assertEquals(Path.of("acts.npz:layer0"), converter.convert("acts.npz:layer0"));
    }

    @Test
    void otherUrisAreRefusedNotTakenForRelativePaths() {
        for (String uri : new String[] {"hdfs://nn/h1", "s3a://bucket/h1", "https://host/x.npy"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> converter.convert(uri));
            assertTrue(e.getMessage().contains("is a URI, not a local path"), e.getMessage());
        }
        TypeConversionException e =
                assertThrows(TypeConversionException.class, () -> converter.convert("file://host/x"));
        assertTrue(e.getMessage().contains("not a file: URI of a local path"), e.getMessage());
    }
}
