package dev.saekit.io;

import static dev.saekit.io.IoFixtures.resource;
import static dev.saekit.io.NpyFixtures.dict;
import static dev.saekit.io.NpyFixtures.npy;
import static dev.saekit.io.NpyFixtures.ramp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reading {@code .npz} archives: NumPy's own (golden-io) and hand-made ones with other members. */
class NpzTest {
    @TempDir
    Path tmp;

    /** A member to put in an archive: its name, bytes and whether it is deflated. */
    record Member(String name, byte[] bytes, boolean deflated) {}

    /** A zip archive of {@code members}, in order. */
    static byte[] zip(Member... members) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Member m : members) {
                ZipEntry e = new ZipEntry(m.name());
                if (!m.deflated()) {
                    CRC32 crc = new CRC32();
                    crc.update(m.bytes());
                    e.setMethod(ZipEntry.STORED);
                    e.setSize(m.bytes().length);
                    e.setCompressedSize(m.bytes().length);
                    e.setCrc(crc.getValue());
                }
                zip.putNextEntry(e);
                zip.write(m.bytes());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** The bytes of {@code Npy.write(array)}. */
    byte[] npyBytes(INDArray array) throws IOException {
        Path f = tmp.resolve("member.npy");
        Npy.write(f, array);
        return Files.readAllBytes(f);
    }

    @Test
    void readsNumpysArchivesByNameInArchiveOrder() throws IOException {
        for (String file : List.of("pair.npz", "pair_compressed.npz")) {
            Path npz = resource("golden-io/numpy/" + file);
            Map<String, INDArray> arrays = Npz.read(npz);
            assertEquals(List.of("x", "labels"), List.copyOf(arrays.keySet()), file);
            assertArrayEquals(new long[] {37, 13}, arrays.get("x").shape());
            assertEquals(DType.FLOAT32.nd4j(), arrays.get("x").dataType());
            assertEquals(DType.FLOAT64.nd4j(), arrays.get("labels").dataType()); // int64 labels
            Map<String, NpyHeader> headers = Npz.headers(npz);
            assertEquals(new NpyHeader("<i8", false, new long[] {37}), headers.get("labels"));
            NpyTest.assertSame(arrays.get("labels"), Npz.read(npz, "labels"));
        }
    }

    @Test
    void skipsMembersThatAreNotNpyFilesAndKeepsPathsInNames() throws IOException {
        Path npz = tmp.resolve("mixed.npz");
        Files.write(
                npz,
                zip(
                        new Member("README.txt", "not an array".getBytes(), true),
                        new Member("a.npy", npyBytes(ramp(DType.FLOAT32, 3, 4)), false),
                        new Member("dir/", new byte[0], false),
                        new Member("dir/b.npy", npyBytes(ramp(DType.FLOAT64, 5)), true)));
        Map<String, INDArray> arrays = Npz.read(npz);
        assertEquals(List.of("a", "dir/b"), List.copyOf(arrays.keySet()));
        NpyTest.assertSame(ramp(DType.FLOAT32, 3, 4), arrays.get("a"));
        NpyTest.assertSame(ramp(DType.FLOAT64, 5), arrays.get("dir/b"));
    }

    @Test
    void anUnknownNameListsTheArrays() throws IOException {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Npz.read(resource("golden-io/numpy/pair.npz"), "y"));
        assertTrue(e.getMessage().endsWith("pair.npz; it holds 2 arrays: x, labels"), e.getMessage());
    }

    @Test
    void anEmptyArchiveHoldsNoArrays() throws IOException {
        Path npz = tmp.resolve("empty.npz");
        Files.write(npz, zip());
        assertEquals(Map.of(), Npz.read(npz));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> DataFiles.read(npz));
        assertTrue(e.getMessage().endsWith("the file holds no arrays"), e.getMessage());
    }

    @Test
    void aZipBombStopsAtTheFirstByteBeyondTheDeclaredData() throws IOException {
        // a valid '<f4' (2,) header and its 8 data bytes, then 64 MiB of zeros that deflate to ~64 KiB
        byte[] valid = npy(1, dict("<f4", "(2,)"), 8);
        byte[] bomb = new byte[valid.length + (64 << 20)];
        System.arraycopy(valid, 0, bomb, 0, valid.length);
        Path npz = tmp.resolve("bomb.npz");
        Files.write(npz, zip(new Member("x.npy", bomb, true)));
        assertTrue(Files.size(npz) < 1 << 20, "the archive is small: " + Files.size(npz));
        long start = System.nanoTime();
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Npz.read(npz));
        // the archive records the member's true size, which its .npy header contradicts: refused before inflating
        assertEquals(
                npz
                        + ", member 'x.npy': header declares shape (2,) = 8 bytes of '<f4' data but the file has 67108872 bytes"
                        + " after the header",
                e.getMessage());
        assertEquals(
                new NpyHeader("<f4", false, new long[] {2}), Npz.headers(npz).get("x")); // the header alone is fine
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "stopping must not inflate the whole bomb");
    }

    @Test
    void aCorruptedStoredMemberFailsItsCrcCheck() throws IOException {
        byte[] archive = zip(new Member("x.npy", npyBytes(ramp(DType.FLOAT32, 4, 4)), false));
        archive[30 + "x.npy".length() + 128 + 5] ^= 1; // local header, name, .npy header, then a data byte
        Path npz = tmp.resolve("flipped.npz");
        Files.write(npz, archive);
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Npz.read(npz));
        assertTrue(e.getMessage().startsWith(npz + ", member 'x.npy': CRC-32 mismatch"), e.getMessage());
    }

    @Test
    void aBrokenMemberIsNamedInTheError() throws IOException {
        Path npz = tmp.resolve("broken.npz");
        Files.write(
                npz,
                zip(
                        new Member("ok.npy", npyBytes(ramp(DType.FLOAT32, 2)), false),
                        new Member("bad.npy", "hello".getBytes(), true)));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> Npz.read(npz));
        assertEquals(
                npz
                        + ", member 'bad.npy': not a .npy file: expected the magic string \\x93NUMPY at byte 0, found b'hello'",
                e.getMessage());
        NpyTest.assertSame(ramp(DType.FLOAT32, 2), Npz.read(npz, "ok"));

        Files.write(npz, zip(new Member("short.npy", npy(1, dict("<f8", "(4,)"), 16), false)));
        MalformedFileException truncated = assertThrows(MalformedFileException.class, () -> Npz.read(npz));
        assertTrue(
                truncated
                        .getMessage()
                        .contains("member 'short.npy': header declares shape (4,) = 32 bytes of '<f8' data"
                                + " but the file has 16 bytes after the header"),
                truncated.getMessage());
    }

    @Test
    void duplicateMembersAndOtherCompressionMethodsAreRefused() throws IOException {
        byte[] archive = zip(
                new Member("a.npy", npyBytes(ramp(DType.FLOAT32, 2)), false),
                new Member("b.npy", npyBytes(ramp(DType.FLOAT32, 3)), false));
        Path npz = tmp.resolve("dup.npz");
        Files.write(npz, rename(archive, "b.npy", "a.npy"));
        MalformedFileException dup = assertThrows(MalformedFileException.class, () -> Npz.read(npz));
        assertTrue(dup.getMessage().endsWith("member 'a.npy' appears twice in the archive"), dup.getMessage());

        byte[] bzip2 = zip(new Member("a.npy", npyBytes(ramp(DType.FLOAT32, 2)), false));
        int cen = indexOf(bzip2, new byte[] {'P', 'K', 1, 2});
        bzip2[cen + 10] = 12; // the central directory's compression method: 12 is bzip2
        Files.write(npz, bzip2);
        MalformedFileException method = assertThrows(MalformedFileException.class, () -> Npz.read(npz));
        assertEquals(
                npz
                        + ", member 'a.npy': the member is compressed with method 12; .npz members are stored (0) or deflated (8)",
                method.getMessage());
    }

    /** {@code archive} with every occurrence of the name {@code from} replaced by {@code to} (same length). */
    private static byte[] rename(byte[] archive, String from, String to) {
        byte[] b = archive.clone();
        for (int i = indexOf(b, from.getBytes()); i >= 0; i = indexOf(b, from.getBytes())) {
            System.arraycopy(to.getBytes(), 0, b, i, to.length());
        }
        return b;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
