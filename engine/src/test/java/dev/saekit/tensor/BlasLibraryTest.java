package dev.saekit.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlasLibraryTest {

    private static final String CACHE = "/home/u/.javacpp/cache/";

    @Test
    void findsOpenBlasAndItsVersionInTheMaps(@TempDir Path dir) throws Exception {
        Path maps = dir.resolve("maps");
        String lib = CACHE + "openblas-0.3.19-1.5.7-linux-x86_64.jar/org/bytedeco/openblas/linux-x86_64/";
        Files.write(
                maps,
                List.of(
                        "7f00-7f01 r-xp 00000000 08:01 12 " + lib + "libopenblas_nolapack.so.0",
                        "7f01-7f02 r--p 00010000 08:01 12 " + lib + "libopenblas_nolapack.so.0",
                        "7f02-7f03 r-xp 00000000 08:01 13 " + lib + "libjniopenblas_nolapack.so",
                        "7f03-7f04 r-xp 00000000 08:01 14 " + lib + "libgfortran.so.5",
                        "7f04-7f05 rw-p 00000000 00:00 0 [heap]",
                        "7f05-7f06 rw-p 00000000 00:00 0"));
        List<String> found = BlasLibrary.mappedBlasFiles(maps);
        assertEquals(List.of(lib + "libopenblas_nolapack.so.0"), found);
        assertEquals("0.3.19", BlasLibrary.versionOf(found));
        BlasLibrary blas = new BlasLibrary("OPENBLAS", 2, found, "0.3.19");
        assertEquals("OPENBLAS 0.3.19, 2 threads (libopenblas_nolapack.so.0)", blas.describe());
    }

    @Test
    void mklLoadedInOpenBlasPlaceHasNoOpenBlasVersion(@TempDir Path dir) throws Exception {
        Path maps = dir.resolve("maps");
        String redist = CACHE + "mkl-2022.0-1.5.7-linux-x86_64-redist.jar/org/bytedeco/mkl/linux-x86_64/";
        Files.write(
                maps,
                List.of(
                        "7f00-7f01 r-xp 00000000 08:01 12 " + redist + "libopenblas_nolapack.so.0",
                        "7f01-7f02 r-xp 00000000 08:01 13 " + redist + "libmkl_rt.so.2",
                        "7f02-7f03 r-xp 00000000 08:01 14 " + redist + "libiomp5.so"));
        List<String> found = BlasLibrary.mappedBlasFiles(maps);
        assertEquals(List.of(redist + "libopenblas_nolapack.so.0", redist + "libmkl_rt.so.2"), found);
        assertEquals("", BlasLibrary.versionOf(found));
    }

    @Test
    void unreadableMapsGiveNoLibraries(@TempDir Path dir) {
        assertTrue(BlasLibrary.mappedBlasFiles(dir.resolve("absent")).isEmpty());
        assertEquals(
                "UNKNOWN, -1 threads (library not found in /proc/self/maps)",
                new BlasLibrary("UNKNOWN", -1, List.of(), "").describe());
    }

    @Test
    void thisProcessRunsOnALoadedBlas() {
        BlasLibrary blas = BlasLibrary.current();
        assertFalse(blas.libraries().isEmpty(), blas::describe);
        assertTrue(blas.threads() >= 1, blas::describe);
    }
}
