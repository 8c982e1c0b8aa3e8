package dev.saekit.io;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * NumPy {@code .npz} archives ({@code np.savez}, {@code np.savez_compressed}): a zip file whose
 * members {@code NAME.npy} are {@code .npy} files, stored or deflated. An array's name is its
 * member's name without {@code .npy}, as {@code np.load} names it; arrays keep the archive's order.
 * Each member is read with {@link Npy#read(InputStream, String)}, so the same types and checks
 * apply.
 *
 * <p>Members whose name does not end in {@code .npy} (directories, a README, a JSON side file) are
 * skipped: they cannot hold arrays, and the arrays beside them are still well defined. A member
 * named {@code .npy} that is not a valid {@code .npy} file is an error, as are two members with the
 * same name. It is safe on untrusted archives: a member's {@code .npy} header is read first, and
 * inflating it may then produce exactly the bytes that header declares, no more (a zip bomb stops
 * there); each member's CRC-32 is checked. Every defect, in the zip structure or in a member, is
 * one {@link MalformedFileException} that names the archive and the member.
 */
public final class Npz {
    private static final String SUFFIX = ".npy";
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private Npz() {
    }

    /** The {@code .npy} header of each array, by name in archive order, without reading the data. */
    public static Map<String, NpyHeader> headers(Path file) throws IOException {
        Map<String, NpyHeader> headers = new LinkedHashMap<>();
        try (ZipFile zip = open(file)) {
            for (Map.Entry<String, ZipEntry> m : members(zip, file).entrySet()) {
                String source = source(file, m.getValue());
                try (InputStream in = memberStream(zip, m.getValue(), source)) {
                    headers.put(m.getKey(), readHeader(in, source).header());
                }
            }
        }
        return headers;
    }

    /** Every array of {@code file}, by name in archive order. */
    public static Map<String, INDArray> read(Path file) throws IOException {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        try (ZipFile zip = open(file)) {
            for (Map.Entry<String, ZipEntry> m : members(zip, file).entrySet()) {
                arrays.put(m.getKey(), readMember(zip, m.getValue(), source(file, m.getValue())));
            }
        }
        return arrays;
    }

    /** The array {@code name} (its member is {@code name.npy}); an unknown name is an error listing the names. */
    public static INDArray read(Path file, String name) throws IOException {
        try (ZipFile zip = open(file)) {
            Map<String, ZipEntry> members = members(zip, file);
            ZipEntry entry = members.get(name);
            if (entry == null) {
                throw new IllegalArgumentException("no array '" + name + "' in " + file + "; it holds "
                        + (members.isEmpty() ? "no arrays" : members.size() + " array" + (members.size() == 1 ? "" : "s")
                        + ": " + String.join(", ", members.keySet())));
            }
            return readMember(zip, entry, source(file, entry));
        }
    }

    private static ZipFile open(Path file) throws IOException {
        if (Files.size(file) == 0) {
            throw new MalformedFileException(file.toString(), "the file is empty; an .npz file is a zip archive");
        }
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException | EOFException e) { // EOF: a zip structure that points past the end of the file
            throw new MalformedFileException(file.toString(), "not a valid zip archive (.npz): " + reason(e));
        }
    }

    /**
     * The {@code .npy} members by array name, in archive order; other members are skipped. (A
     * compression method other than stored or deflated is refused when the archive is opened.)
     */
    private static Map<String, ZipEntry> members(ZipFile zip, Path file) throws MalformedFileException {
        Map<String, ZipEntry> members = new LinkedHashMap<>();
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            if (e.isDirectory() || !e.getName().endsWith(SUFFIX)) {
                continue;
            }
            String name = e.getName().substring(0, e.getName().length() - SUFFIX.length());
            if (members.put(name, e) != null) {
                throw new MalformedFileException(file.toString(), "member " + Text.quote(e.getName()) + " appears twice in the archive");
            }
        }
        return members;
    }

    private static INDArray readMember(ZipFile zip, ZipEntry entry, String source) throws IOException {
        try (MemberStream in = memberStream(zip, entry, source)) {
            Member m = readHeader(in, source);
            in.limit(m.header().dataBytes()); // inflating past the declared data is a defect, found on the next read
            return Npy.read(new SequenceInputStream(new ByteArrayInputStream(m.headerBytes()), in), source);
        }
    }

    private static MemberStream memberStream(ZipFile zip, ZipEntry entry, String source) throws IOException {
        try {
            return new MemberStream(zip.getInputStream(entry), source, entry.getCrc());
        } catch (ZipException | EOFException e) {
            throw new MalformedFileException(source, "corrupt zip member: " + reason(e));
        }
    }

    /** A member's parsed header and the bytes it was parsed from. */
    private record Member(NpyHeader header, byte[] headerBytes) {
    }

    /**
     * Reads the magic string, version, header length and header dict at the start of {@code in};
     * a defect gives the error {@link Npy#read(InputStream, String)} gives for the same bytes.
     */
    private static Member readHeader(InputStream in, String source) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        seen.write(prefix);
        int major = prefix.length == MAGIC.length + 2 ? prefix[6] & 0xFF : 0;
        if (!startsWithMagic(prefix) || major < 1 || major > 3 || prefix[7] != 0) {
            throw refusal(seen, source);
        }
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] lengthField = in.readNBytes(lengthBytes);
        seen.write(lengthField);
        if (lengthField.length < lengthBytes) {
            throw refusal(seen, source);
        }
        ByteBuffer lb = ByteBuffer.wrap(lengthField).order(ByteOrder.LITTLE_ENDIAN);
        long length = major == 1 ? lb.getShort() & 0xFFFF : lb.getInt() & 0xFFFF_FFFFL;
        if (length > Npy.MAX_HEADER_BYTES) {
            throw refusal(seen, source);
        }
        byte[] dict = in.readNBytes((int) length);
        seen.write(dict);
        if (dict.length < length) {
            throw refusal(seen, source);
        }
        Charset charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
        String text;
        try {
            text = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(dict)).toString();
        } catch (CharacterCodingException e) {
            throw refusal(seen, source);
        }
        NpyHeader header = NpyHeaderParser.parse(text, source, MAGIC.length + 2L + lengthBytes, charset);
        return new Member(header, seen.toByteArray());
    }

    private static boolean startsWithMagic(byte[] prefix) {
        if (prefix.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    /** The error {@link Npy#read(InputStream, String)} gives for a header that stops after {@code seen}. */
    private static MalformedFileException refusal(ByteArrayOutputStream seen, String source) {
        try {
            Npy.read(new ByteArrayInputStream(seen.toByteArray()), source);
        } catch (MalformedFileException e) {
            return e;
        } catch (IOException e) {
            return new MalformedFileException(source, e.getMessage());
        }
        return new MalformedFileException(source, "not a .npy header");
    }

    /** What the zip library says is wrong; its EOFExceptions often say nothing. */
    private static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e instanceof EOFException ? "it ends early" : e.toString();
    }

    /** How errors name a member: {@code archive.npz, member 'x.npy'}. */
    private static String source(Path file, ZipEntry entry) {
        return file + ", member " + Text.quote(entry.getName());
    }

    /**
     * A member's bytes as inflated: at most {@link #limit} of them after the header (one more is a
     * zip bomb or a lying header), CRC-checked at the end, with the zip library's errors on corrupt
     * data turned into {@link MalformedFileException}s.
     */
    private static final class MemberStream extends InputStream {
        private final InputStream in;
        private final String source;
        private final long expectedCrc;
        private final CRC32 crc = new CRC32();
        private long remaining = Long.MAX_VALUE;
        private boolean limited;

        MemberStream(InputStream in, String source, long expectedCrc) {
            this.in = in;
            this.source = source;
            this.expectedCrc = expectedCrc;
        }

        /** From now on, allow {@code bytes} more bytes and then only the end of the member. */
        void limit(long bytes) {
            remaining = bytes;
            limited = true;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n;
            try {
                if (limited && remaining == 0) {
                    n = in.read();
                    if (n >= 0) {
                        throw new MalformedFileException(source, "the member inflates to more bytes than its .npy header"
                                + " declares");
                    }
                } else {
                    n = in.read(b, off, (int) Math.min(len, remaining));
                }
            } catch (ZipException | EOFException e) {
                throw new MalformedFileException(source, "corrupt zip member data: " + reason(e));
            }
            if (n < 0) {
                if (expectedCrc != -1 && crc.getValue() != expectedCrc) {
                    throw new MalformedFileException(source, String.format("CRC-32 mismatch: the archive records %08x,"
                            + " the member's bytes give %08x", expectedCrc, crc.getValue()));
                }
                return -1;
            }
            crc.update(b, off, n);
            remaining -= n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
