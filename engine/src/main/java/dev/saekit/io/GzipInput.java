package dev.saekit.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The decompressed bytes of a gzip file (RFC 1952), checked to its last byte. Like {@code gunzip}
 * it reads concatenated members as one stream; unlike {@link java.util.zip.GZIPInputStream} it
 * accepts nothing else after them: bytes that do not start another member are an error, as are a
 * truncated stream, corrupt deflate data, and a member whose CRC-32 or length (its trailer) does
 * not match what it inflated to. Every defect is one {@link MalformedFileException} with the byte
 * offset. Memory is one 64 KiB input buffer and the inflater's window, whatever the file holds.
 */
final class GzipInput extends InputStream {
    private static final int BUFFER = 1 << 16;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED = 0xE0;

    private final FileChannel ch;
    private final String source;
    private final long size;
    private final byte[] buf = new byte[BUFFER];
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    /** The file offset of {@code buf[0]}; {@code buf[pos..limit)} is unread input. */
    private long bufStart;

    private int pos;
    private int limit;
    /** Whether the inflater holds {@code buf[pos..limit)} as its input. */
    private boolean fed;

    private long memberOut;
    private boolean done;

    /** Reads the first member's header; {@code ch} is closed with this stream. */
    GzipInput(FileChannel ch, String source) throws IOException {
        this.ch = ch;
        this.source = source;
        this.size = ch.size();
        readHeader();
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
        while (!done) {
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                sync();
                throw new MalformedFileException(
                        source, "corrupt gzip data near byte " + offset() + ": " + e.getMessage());
            }
            if (n > 0) {
                crc.update(b, off, n);
                memberOut += n;
                return n;
            }
            sync();
            if (inflater.finished()) {
                readTrailer();
                if (!nextMember()) {
                    done = true;
                }
            } else if (inflater.needsDictionary()) {
                throw new MalformedFileException(
                        source, "corrupt gzip data near byte " + offset() + ": it asks for a preset dictionary");
            } else if (inflater.needsInput()) {
                if (!fill()) {
                    throw new MalformedFileException(
                            source,
                            "corrupt gzip data: the file ends at byte " + size + ", inside the"
                                    + " compressed stream; it is truncated");
                }
                inflater.setInput(buf, pos, limit - pos);
                fed = true;
            } else {
                throw new MalformedFileException(source, "corrupt gzip data near byte " + offset());
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        ch.close();
    }

    private long offset() {
        return bufStart + pos;
    }

    /** Moves {@code pos} past what the inflater consumed. */
    private void sync() {
        if (fed) {
            pos = limit - inflater.getRemaining();
        }
    }

    /** Makes unread input available; false at the end of the file. */
    private boolean fill() throws IOException {
        if (pos < limit) {
            return true;
        }
        fed = false;
        bufStart += limit;
        pos = 0;
        limit = 0;
        int n = ch.read(ByteBuffer.wrap(buf), bufStart);
        if (n <= 0) {
            return false;
        }
        limit = n;
        return true;
    }

    private int nextByte(CRC32 headerCrc, String inside) throws IOException {
        if (!fill()) {
            throw new MalformedFileException(source, "the file ends at byte " + size + ", inside " + inside);
        }
        int b = buf[pos++] & 0xFF;
        if (headerCrc != null) {
            headerCrc.update(b);
        }
        return b;
    }

    /** The member header at the current offset (RFC 1952, 2.3). */
    private void readHeader() throws IOException {
        long start = offset();
        CRC32 h = new CRC32();
        String inside = "the gzip header at byte " + start;
        int id1 = nextByte(h, inside);
        int id2 = nextByte(h, inside);
        if (id1 != 0x1F || id2 != 0x8B) {
            throw new MalformedFileException(
                    source,
                    String.format("expected the gzip magic bytes 1F 8B at byte %d, found %02X %02X", start, id1, id2));
        }
        int method = nextByte(h, inside);
        if (method != 8) {
            throw new MalformedFileException(
                    source,
                    "unsupported gzip compression method " + method + " at byte " + (start + 2)
                            + "; gzip files are deflated (8)");
        }
        int flags = nextByte(h, inside);
        if ((flags & RESERVED) != 0) {
            throw new MalformedFileException(
                    source,
                    String.format("reserved gzip flag bits 0x%02X set at byte %d", flags & RESERVED, start + 3));
        }
        for (int i = 0; i < 6; i++) { // modification time, extra flags, operating system
            nextByte(h, inside);
        }
        if ((flags & FEXTRA) != 0) {
            int length = nextByte(h, inside) | nextByte(h, inside) << 8;
            for (int i = 0; i < length; i++) {
                nextByte(h, inside);
            }
        }
        for (int flag : new int[] {FNAME, FCOMMENT}) {
            if ((flags & flag) != 0) {
                while (nextByte(h, inside) != 0) {
                    // a zero-terminated file name or comment
                }
            }
        }
        if ((flags & FHCRC) != 0) {
            int expected = (int) (h.getValue() & 0xFFFF);
            int recorded = nextByte(null, inside) | nextByte(null, inside) << 8;
            if (recorded != expected) {
                throw new MalformedFileException(
                        source,
                        String.format(
                                "the gzip header CRC at byte %d is %04x, the header gives %04x",
                                offset() - 2, recorded, expected));
            }
        }
        inflater.reset();
        crc.reset();
        memberOut = 0;
    }

    /** The CRC-32 and length (mod 2^32) that end a member, checked against what it inflated to. */
    private void readTrailer() throws IOException {
        long at = offset();
        String inside = "the gzip trailer at byte " + at + " (CRC-32 and length); it is truncated";
        long recordedCrc = 0;
        long recordedSize = 0;
        for (int i = 0; i < 4; i++) {
            recordedCrc |= (long) nextByte(null, inside) << (8 * i);
        }
        for (int i = 0; i < 4; i++) {
            recordedSize |= (long) nextByte(null, inside) << (8 * i);
        }
        if (recordedCrc != crc.getValue()) {
            throw new MalformedFileException(
                    source,
                    String.format(
                            "corrupt gzip data: CRC-32 mismatch, the gzip trailer at byte %d records %08x, the"
                                    + " decompressed bytes give %08x",
                            at, recordedCrc, crc.getValue()));
        }
        if (recordedSize != (memberOut & 0xFFFF_FFFFL)) {
            throw new MalformedFileException(
                    source,
                    "corrupt gzip data: the gzip trailer at byte " + at + " records " + recordedSize
                            + " bytes (mod 2^32) but the member decompressed to " + memberOut);
        }
    }

    /** After a member: false at the end of the file, true if another member follows; anything else is an error. */
    private boolean nextMember() throws IOException {
        if (!fill()) {
            return false;
        }
        long at = offset();
        ByteBuffer two = ByteBuffer.allocate(2);
        ch.read(two, at);
        if (two.position() < 2 || (two.get(0) & 0xFF) != 0x1F || (two.get(1) & 0xFF) != 0x8B) {
            throw new MalformedFileException(
                    source,
                    (size - at) + " bytes follow the end of the gzip stream at byte " + at
                            + " and do not start another gzip member; the file is damaged or something was appended to it");
        }
        fed = false;
        readHeader();
        return true;
    }
}
