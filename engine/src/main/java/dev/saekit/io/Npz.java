package dev.saekit.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * NumPy {@code .npz} archives ({@code np.savez}, {@code np.savez_compressed}): a zip file whose
 * members {@code NAME.npy} are {@code .npy} files, stored or deflated. An array's name is its
 * member's name without {@code .npy}, as {@code np.load} names it; arrays keep the archive's order.
 * A stored member is read in place (it can be memory-mapped like an {@code .npy} file); a deflated
 * one is inflated as it is read, never held whole.
 *
 * <p>Members whose name does not end in {@code .npy} (directories, a README, a JSON side file) are
 * skipped: they cannot hold arrays, and the arrays beside them are still well defined. A member
 * named {@code .npy} that is not a valid {@code .npy} file is an error, as are two members with the
 * same name. It is safe on untrusted archives: the zip structure is checked first
 * ({@link ZipArchive}: nothing after the end record, no overlapping members); a member's
 * {@code .npy} header must declare exactly the bytes the archive records for the member, which a
 * deflated member must be able to inflate to (deflate expands at most 1032-fold); reading it
 * then stops at the first byte past that size (a zip bomb stops there) and checks its CRC-32.
 * Every defect, in the zip structure or in a member, is one {@link MalformedFileException} that
 * names the archive and the member.
 */
public final class Npz {
    private static final String SUFFIX = ".npy";
    /** Deflate's largest expansion: 258 bytes from a 2-bit code, 1032 to 1. */
    private static final long MAX_INFLATION = 1032;

    private Npz() {}

    /** The {@code .npy} header of each array, by name in archive order, without reading the data or checking its size. */
    public static Map<String, NpyHeader> headers(Path file) throws IOException {
        Map<String, NpyHeader> headers = new LinkedHashMap<>();
        try (FileChannel ch = open(file)) {
            for (ZipArchive.Member m : members(ch, file).values()) {
                String source = source(file, m.name());
                requireReadable(m, source);
                try (InputStream in = ArrayBytes.zipMember(ch, m, source)) {
                    headers.put(
                            arrayName(m), Npy.readHeader(in, source, m.size()).header());
                }
            }
        }
        return headers;
    }

    /** Every array of {@code file}, by name in archive order, each in the dtype its element type reads into. */
    public static Map<String, INDArray> read(Path file) throws IOException {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        for (Map.Entry<String, StoredArray> a : locate(file).entrySet()) {
            arrays.put(a.getKey(), DataFiles.asStored(a.getValue()));
        }
        return arrays;
    }

    /** The array {@code name} (its member is {@code name.npy}); an unknown name is an error listing the names. */
    public static INDArray read(Path file, String name) throws IOException {
        return DataFiles.asStored(locate(file, name));
    }

    /** Where every array of {@code file} lies, by name in archive order, each member's header and sizes checked. */
    static Map<String, StoredArray> locate(Path file) throws IOException {
        Map<String, StoredArray> arrays = new LinkedHashMap<>();
        try (FileChannel ch = open(file)) {
            for (Map.Entry<String, ZipArchive.Member> m : members(ch, file).entrySet()) {
                arrays.put(m.getKey(), locate(ch, file, m.getValue()));
            }
        }
        return arrays;
    }

    /** Where the array {@code name} lies; an unknown name is an {@link IllegalArgumentException} listing the names. */
    static StoredArray locate(Path file, String name) throws IOException {
        try (FileChannel ch = open(file)) {
            Map<String, ZipArchive.Member> members = members(ch, file);
            ZipArchive.Member m = members.get(name);
            if (m == null) {
                throw new IllegalArgumentException("no array '" + name + "' in " + file + "; it holds "
                        + (members.isEmpty()
                                ? "no arrays"
                                : members.size() + " array" + (members.size() == 1 ? "" : "s") + ": "
                                        + String.join(", ", members.keySet())));
            }
            return locate(ch, file, m);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        FileChannel ch = RegularFiles.open(file);
        if (ch.size() == 0) {
            ch.close();
            throw new MalformedFileException(file.toString(), "the file is empty; an .npz file is a zip archive");
        }
        return ch;
    }

    /** The {@code .npy} members by array name, in archive order; other members are skipped. */
    private static Map<String, ZipArchive.Member> members(FileChannel ch, Path file) throws IOException {
        Map<String, ZipArchive.Member> members = new LinkedHashMap<>();
        List<ZipArchive.Member> all = ZipArchive.read(ch, file.toString(), Npz::isArray);
        for (ZipArchive.Member m : all) {
            if (isArray(m.name()) && members.put(arrayName(m), m) != null) {
                throw new MalformedFileException(
                        file.toString(), "member " + Text.quote(m.name()) + " appears twice in the archive");
            }
        }
        return members;
    }

    private static boolean isArray(String memberName) {
        return memberName.endsWith(SUFFIX) && !memberName.endsWith("/");
    }

    private static String arrayName(ZipArchive.Member m) {
        return m.name().substring(0, m.name().length() - SUFFIX.length());
    }

    private static void requireReadable(ZipArchive.Member m, String source) throws MalformedFileException {
        if (m.encrypted()) {
            throw new MalformedFileException(source, "the member is encrypted; saekit reads unencrypted archives");
        }
        if (m.method() != ZipArchive.STORED && m.method() != ZipArchive.DEFLATED) {
            throw new MalformedFileException(
                    source,
                    "the member is compressed with method " + m.method()
                            + "; .npz members are stored (0) or deflated (8)");
        }
        if (m.method() == ZipArchive.STORED && m.compressedSize() != m.size()) {
            throw new MalformedFileException(
                    source,
                    "a stored member of " + m.compressedSize() + " bytes that the archive records" + " as " + m.size()
                            + " bytes uncompressed");
        }
        if (m.method() == ZipArchive.DEFLATED && m.size() > MAX_INFLATION * m.compressedSize() + 1024) {
            throw new MalformedFileException(
                    source,
                    "the archive records " + m.size() + " bytes inflated from " + m.compressedSize()
                            + " compressed, more than deflate can expand to (1032-fold)");
        }
    }

    /** Where member {@code m}'s array lies: its header read and its declared size matched with the archive's record. */
    private static StoredArray locate(FileChannel ch, Path file, ZipArchive.Member m) throws IOException {
        String source = source(file, m.name());
        requireReadable(m, source);
        Npy.Layout layout;
        try (InputStream in = ArrayBytes.zipMember(ch, m, source)) {
            layout = Npy.readHeader(in, source, m.size());
        }
        NpyHeader h = layout.header();
        long present = m.size() - layout.dataOffset();
        if (present != h.dataBytes()) {
            throw Npy.sizeMismatch(source, h, present);
        }
        DataFileInfo info =
                new DataFileInfo(file, DataFormat.NPZ, arrayName(m), ElementType.ofNpy(h.descr()), h.shape());
        StoredArray.Encoding encoding = m.method() == ZipArchive.STORED
                ? new StoredArray.InPlace(
                        m.dataOffset() + layout.dataOffset(),
                        new StoredArray.ZipMember(m.dataOffset(), m.size(), m.crc()))
                : new StoredArray.Deflated(m.dataOffset(), m.compressedSize(), m.size(), m.crc(), layout.dataOffset());
        return new StoredArray(info, NpyType.byteOrder(h.descr()), h.fortranOrder() && h.rank() > 1, encoding);
    }

    /** How errors name a member: {@code archive.npz, member 'x.npy'}. */
    private static String source(Path file, String member) {
        return file + ", member " + Text.quote(member);
    }
}
