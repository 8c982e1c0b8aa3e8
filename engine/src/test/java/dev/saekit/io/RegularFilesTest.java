package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.saekit.io.hostile.DataBytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Paths that are not regular files are refused before they are opened: a FIFO with no writer used
 * to block the readers forever; a directory, a device or a loop of links says what it is.
 */
@Timeout(30)
class RegularFilesTest {
    @TempDir
    Path tmp;

    private Path fifo(String name) throws IOException, InterruptedException {
        Path f = tmp.resolve(name);
        Process p = new ProcessBuilder("mkfifo", f.toString()).start();
        assumeTrue(p.waitFor() == 0 && Files.exists(f), "mkfifo is not available");
        return f;
    }

    @Test
    void aFifoNamedLikeADataFileIsRefusedWithoutBlocking() throws Exception {
        Path f = fifo("x.npy");
        String expected =
                f + ": is a FIFO (named pipe), not a regular file; saekit reads data from regular files, or from a"
                        + " directory or glob of them";
        assertEquals(
                expected,
                assertThrows(MalformedFileException.class, () -> DataFiles.read(f))
                        .getMessage());
        assertEquals(
                expected,
                assertThrows(MalformedFileException.class, () -> DataFiles.info(f, null))
                        .getMessage());
        assertEquals(
                expected,
                assertThrows(MalformedFileException.class, () -> DataLocation.open(f.toString(), null, 1))
                        .getMessage());
        assertEquals(
                expected,
                assertThrows(MalformedFileException.class, () -> Npy.read(f)).getMessage());
        assertEquals(
                expected,
                assertThrows(MalformedFileException.class, () -> Idx.read(f)).getMessage());
        assertEquals(
                expected,
                assertThrows(MalformedFileException.class, () -> Npz.read(f)).getMessage());
        assertEquals(
                expected,
                assertThrows(MalformedFileException.class, () -> Safetensors.header(f))
                        .getMessage());
    }

    @Test
    void aFifoAmongShardsIsRefusedNotSkipped() throws Exception {
        Files.write(tmp.resolve("a.npy"), DataBytes.npyF4(new long[] {2, 2}, 1, 2, 3, 4));
        Path f = fifo("b.npy");
        MalformedFileException e =
                assertThrows(MalformedFileException.class, () -> DataLocation.open(tmp.toString(), null, 1));
        assertEquals(
                f + ": is a FIFO (named pipe), not a regular file; every shard must be a regular file", e.getMessage());
        e = assertThrows(MalformedFileException.class, () -> ShardedDataset.open(tmp + "/*.npy"));
        assertTrue(e.getMessage().startsWith(f + ": is a FIFO"), e.getMessage());
    }

    @Test
    void aDirectoryADeviceAndLinksSayWhatTheyAre() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("d.npy"));
        assertEquals(
                dir
                        + ": is a directory, not a regular file; saekit reads data from regular files, or from a directory or glob"
                        + " of them",
                assertThrows(MalformedFileException.class, () -> DataFiles.read(dir))
                        .getMessage());
        IllegalArgumentException empty =
                assertThrows(IllegalArgumentException.class, () -> DataLocation.open(dir.toString(), null, 1));
        assertEquals(
                "directory " + dir + " holds no data files (.npy, .npz, .safetensors, .idx or .idx.gz)",
                empty.getMessage());

        Path device = Path.of("/dev/null");
        assumeTrue(Files.exists(device));
        assertTrue(assertThrows(MalformedFileException.class, () -> DataFiles.read(device))
                .getMessage()
                .startsWith("/dev/null: is a character device, not a regular file"));

        Path dangling = Files.createSymbolicLink(tmp.resolve("gone.npy"), tmp.resolve("nowhere.npy"));
        assertEquals(
                dangling + ": is a symbolic link to '" + tmp.resolve("nowhere.npy") + "', which does not exist",
                assertThrows(MalformedFileException.class, () -> DataLocation.open(dangling.toString(), null, 1))
                        .getMessage());

        Path a = tmp.resolve("loop-a.npy");
        Path b = tmp.resolve("loop-b.npy");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        MalformedFileException loop = assertThrows(MalformedFileException.class, () -> DataFiles.read(a));
        assertTrue(
                loop.getMessage().startsWith(a + ": cannot be opened: ")
                        && loop.getMessage().endsWith("(a loop of symbolic links?)"),
                loop.getMessage());
        assertThrows(MalformedFileException.class, () -> DataLocation.open(a.toString(), null, 1));
    }

    @Test
    void aMissingPathIsNoSuchFile() {
        assertThrows(
                NoSuchFileException.class,
                () -> DataLocation.open(tmp.resolve("missing.npy").toString(), null, 1));
        assertThrows(NoSuchFileException.class, () -> DataFiles.read(tmp.resolve("missing.npy")));
        IllegalArgumentException none =
                assertThrows(IllegalArgumentException.class, () -> DataLocation.open(tmp + "/*.npz", null, 1));
        assertEquals("no file matches " + tmp + "/*.npz", none.getMessage());
    }
}
