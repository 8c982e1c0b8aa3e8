package dev.saekit.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The members of a zip archive (the container of {@code .npz} files), from its central directory,
 * with where each wanted member's data starts, so that a stored member can be read in place and a
 * deflated one inflated from its byte range. Zip64 archives are read too.
 *
 * <p>The structure is checked before any member is read: the end record must end the file (bytes
 * after it are refused), the central directory must lie just before it and hold the number of
 * entries it records, each wanted member's local header must name the same member, every data
 * range must lie before the central directory and wanted members must not overlap (an overlap is
 * how some zip bombs multiply their output). Every count is bounded by the bytes that hold it
 * before anything is allocated. Each defect is one {@link MalformedFileException}.
 */
final class ZipArchive {
    static final int STORED = 0;
    static final int DEFLATED = 8;

    private static final int END = 0x06054b50;
    private static final int END_SIZE = 22;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_LOCATOR_SIZE = 20;
    private static final int ZIP64_END = 0x06064b50;
    private static final int ZIP64_END_SIZE = 56;
    private static final int CENTRAL = 0x02014b50;
    private static final int CENTRAL_SIZE = 46;
    private static final int LOCAL = 0x04034b50;
    private static final int LOCAL_SIZE = 30;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final long MAX_DIRECTORY = 256L << 20;
    private static final long U32_MAX = 0xFFFF_FFFFL;

    /**
     * One member. {@code dataOffset} is where its (compressed) bytes start, or -1 for a member that
     * was not wanted (its local header is not read).
     */
    record Member(
            String name,
            int method,
            int flags,
            long crc,
            long compressedSize,
            long size,
            long headerOffset,
            long dataOffset) {
        boolean encrypted() {
            return (flags & 1) != 0;
        }
    }

    private final FileChannel ch;
    private final String source;
    private final String kind;

    private ZipArchive(FileChannel ch, String source, String kind) {
        this.ch = ch;
        this.source = source;
        this.kind = kind;
    }

    /** The members of the archive {@code ch} in central-directory order; those {@code wanted} by name get their data offset. */
    static List<Member> read(FileChannel ch, String source, Predicate<String> wanted) throws IOException {
        return read(ch, source, ".npz", wanted);
    }

    /** As {@link #read(FileChannel, String, Predicate)}, errors calling the archive a {@code kind} ({@code .pt}). */
    static List<Member> read(FileChannel ch, String source, String kind, Predicate<String> wanted) throws IOException {
        return new ZipArchive(ch, source, kind).read(wanted);
    }

    private List<Member> read(Predicate<String> wanted) throws IOException {
        long size = ch.size();
        if (size < END_SIZE) {
            throw bad("zip END header not found");
        }
        int tailLength = (int) Math.min(size, END_SIZE + MAX_COMMENT);
        long tailStart = size - tailLength;
        ByteBuffer tail = readAt(tailStart, tailLength, "the end of the archive");
        int end = -1;
        int endWithTrailing = -1;
        for (int i = tailLength - END_SIZE; i >= 0 && end < 0; i--) {
            if (tail.getInt(i) == END) {
                int commentEnd = i + END_SIZE + u16(tail, i + 20);
                if (commentEnd == tailLength) {
                    end = i;
                } else if (commentEnd < tailLength && endWithTrailing < 0) {
                    endWithTrailing = i;
                }
            }
        }
        if (end < 0) {
            if (endWithTrailing >= 0) {
                long after = tailLength - (endWithTrailing + END_SIZE + u16(tail, endWithTrailing + 20));
                throw bad(after + " bytes follow the end of the archive (its end record at byte "
                        + (tailStart + endWithTrailing)
                        + " and comment); the file is damaged or something was appended to it");
            }
            throw bad("zip END header not found");
        }
        long endAt = tailStart + end;
        long entries = u16(tail, end + 10);
        long entriesHere = u16(tail, end + 8);
        long disk = u16(tail, end + 4);
        long directoryDisk = u16(tail, end + 6);
        long directorySize = u32(tail, end + 12);
        long directoryOffset = u32(tail, end + 16);
        long directoryEnd = endAt;
        if (endAt >= ZIP64_LOCATOR_SIZE
                && readAt(endAt - ZIP64_LOCATOR_SIZE, 4, "the zip64 locator").getInt(0) == ZIP64_LOCATOR) {
            ByteBuffer locator = readAt(endAt - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE, "the zip64 locator");
            long at = locator.getLong(8);
            if (at < 0 || at > endAt - ZIP64_LOCATOR_SIZE - ZIP64_END_SIZE) {
                throw bad("the zip64 locator at byte " + (endAt - ZIP64_LOCATOR_SIZE) + " points to byte "
                        + Long.toUnsignedString(at) + ", outside the archive");
            }
            ByteBuffer z = readAt(at, ZIP64_END_SIZE, "the zip64 end record");
            if (z.getInt(0) != ZIP64_END) {
                throw bad("no zip64 end record at byte " + at + ", where the zip64 locator points");
            }
            disk = u32(z, 16);
            directoryDisk = u32(z, 20);
            entriesHere = z.getLong(24);
            entries = z.getLong(32);
            directorySize = z.getLong(40);
            directoryOffset = z.getLong(48);
            directoryEnd = at;
        }
        if (disk != 0 || directoryDisk != 0 || entriesHere != entries) {
            throw bad("a multi-disk (split) archive; saekit reads single-file archives");
        }
        if (directorySize < 0
                || directoryOffset < 0
                || directoryOffset > directoryEnd
                || directorySize != directoryEnd - directoryOffset) {
            throw bad("the central directory is recorded as " + Long.toUnsignedString(directorySize) + " bytes at byte "
                    + Long.toUnsignedString(directoryOffset) + " but its end record is at byte " + directoryEnd);
        }
        if (directorySize > MAX_DIRECTORY) {
            throw bad("the central directory has " + directorySize + " bytes, more than the " + MAX_DIRECTORY
                    + " saekit reads");
        }
        if (entries < 0 || entries > directorySize / CENTRAL_SIZE) {
            throw bad("the end record counts " + Long.toUnsignedString(entries) + " members but the " + directorySize
                    + "-byte central directory has room for at most " + directorySize / CENTRAL_SIZE);
        }
        List<Member> members = central(
                readAt(directoryOffset, (int) directorySize, "the central directory"), directoryOffset, (int) entries);
        return locate(members, wanted, directoryOffset);
    }

    /** The {@code count} entries of the central directory {@code cd}, which starts at byte {@code base}. */
    private List<Member> central(ByteBuffer cd, long base, int count) throws MalformedFileException {
        List<Member> members = new ArrayList<>(count);
        int p = 0;
        for (int i = 0; i < count; i++) {
            if (p + CENTRAL_SIZE > cd.limit() || cd.getInt(p) != CENTRAL) {
                throw bad("no central directory entry at byte " + (base + p) + " (entry " + (i + 1) + " of " + count
                        + ")");
            }
            int flags = u16(cd, p + 8);
            int method = u16(cd, p + 10);
            long crc = u32(cd, p + 16);
            long compressed = u32(cd, p + 20);
            long size = u32(cd, p + 24);
            int nameLength = u16(cd, p + 28);
            int extraLength = u16(cd, p + 30);
            int commentLength = u16(cd, p + 32);
            long header = u32(cd, p + 42);
            int next = p + CENTRAL_SIZE + nameLength + extraLength + commentLength;
            if (next > cd.limit()) {
                throw bad("the central directory entry at byte " + (base + p) + " runs past the end of the directory");
            }
            String name = name(cd, p + CENTRAL_SIZE, nameLength);
            // zip64: the fields saved as 0xFFFFFFFF follow, in this order, in extra field 0x0001
            for (int x = p + CENTRAL_SIZE + nameLength, xEnd = x + extraLength; x + 4 <= xEnd; ) {
                int id = u16(cd, x);
                int length = u16(cd, x + 2);
                int at = x + 4;
                if (at + length > xEnd) {
                    throw bad("member " + Text.quote(name) + ": an extra field runs past its entry");
                }
                if (id == 1) {
                    int fieldEnd = at + length;
                    long[] values = {size, compressed, header};
                    for (int k = 0; k < values.length; k++) {
                        if (values[k] == U32_MAX) {
                            if (at + 8 > fieldEnd) {
                                throw bad("member " + Text.quote(name) + ": its zip64 extra field is too short");
                            }
                            values[k] = cd.getLong(at);
                            at += 8;
                        }
                    }
                    size = values[0];
                    compressed = values[1];
                    header = values[2];
                }
                x += 4 + length;
            }
            if (size < 0 || compressed < 0 || header < 0) {
                throw bad("member " + Text.quote(name) + ": a zip64 size or offset above 2^63");
            }
            members.add(new Member(name, method, flags, crc, compressed, size, header, -1));
            p = next;
        }
        if (p != cd.limit()) {
            throw bad("the central directory has " + (cd.limit() - p) + " bytes after its " + count + " entries");
        }
        return members;
    }

    /** Reads the local header of each wanted member: its data offset, checked against the directory and the others. */
    private List<Member> locate(List<Member> members, Predicate<String> wanted, long directoryOffset)
            throws IOException {
        List<Member> out = new ArrayList<>(members.size());
        List<Member> located = new ArrayList<>();
        for (Member m : members) {
            if (!wanted.test(m.name())) {
                out.add(m);
                continue;
            }
            String what = "member " + Text.quote(m.name());
            if (m.headerOffset() > directoryOffset - LOCAL_SIZE) {
                throw bad(what + ": its local header offset " + m.headerOffset()
                        + " is not before the central directory at byte " + directoryOffset);
            }
            ByteBuffer local = readAt(m.headerOffset(), LOCAL_SIZE, "the local header of " + what);
            if (local.getInt(0) != LOCAL) {
                throw bad(what + ": no local header at byte " + m.headerOffset());
            }
            int nameLength = u16(local, 26);
            long data = m.headerOffset() + LOCAL_SIZE + nameLength + u16(local, 28);
            if (data > directoryOffset || m.compressedSize() > directoryOffset - data) {
                throw bad(what + ": its " + m.compressedSize() + " bytes at byte " + data
                        + " run into the central directory at byte " + directoryOffset);
            }
            String localName =
                    name(readAt(m.headerOffset() + LOCAL_SIZE, nameLength, "the name of " + what), 0, nameLength);
            if (!localName.equals(m.name())) {
                throw bad(what + ": its local header at byte " + m.headerOffset() + " names " + Text.quote(localName));
            }
            Member found = new Member(
                    m.name(), m.method(), m.flags(), m.crc(), m.compressedSize(), m.size(), m.headerOffset(), data);
            out.add(found);
            located.add(found);
        }
        located.sort(Comparator.comparingLong(Member::headerOffset));
        for (int i = 1; i < located.size(); i++) {
            Member a = located.get(i - 1);
            Member b = located.get(i);
            if (a.dataOffset() + a.compressedSize() > b.headerOffset()) {
                throw bad("members " + Text.quote(a.name()) + " and " + Text.quote(b.name()) + " overlap (bytes "
                        + b.headerOffset() + " to " + (a.dataOffset() + a.compressedSize()) + ")");
            }
        }
        return out;
    }

    private static String name(ByteBuffer b, int at, int length) {
        byte[] bytes = new byte[length];
        b.get(at, bytes);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return new String(
                    bytes, StandardCharsets.ISO_8859_1); // the old zip code page's bytes, shown one to a character
        }
    }

    private ByteBuffer readAt(long position, int length, String what) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw bad("the file ends at byte " + (position + buf.position()) + ", inside " + what);
            }
        }
        return buf.flip();
    }

    private static int u16(ByteBuffer b, int at) {
        return b.getShort(at) & 0xFFFF;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & U32_MAX;
    }

    private MalformedFileException bad(String detail) {
        return new MalformedFileException(source, "not a valid zip archive (" + kind + "): " + detail);
    }
}
