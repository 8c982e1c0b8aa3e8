package dev.saekit.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The data bytes of a {@link StoredArray}, read once from first to last: exactly
 * {@code dataBytes()} of them, then the end of the stream, which is checked before it is reported.
 * A compressed array is inflated as it is read, never held whole: memory is a few buffers whatever
 * the array's size. Reaching the end checks what the format promises: no byte more than declared
 * (a zip or gzip bomb stops at its first extra byte), none fewer, the CRC-32 of a zip member
 * (stored or deflated), nothing after the end of a deflate or gzip stream. Each defect is one
 * {@link MalformedFileException}.
 */
final class ArrayBytes extends InputStream {
    private static final int BUFFER = 1 << 16;

    private final StoredArray array;
    private final FileChannel ch;
    private final InputStream in;
    private final boolean decompressed;
    private long remaining;
    private boolean ended;

    private ArrayBytes(StoredArray array, FileChannel ch, InputStream in, boolean decompressed) {
        this.array = array;
        this.ch = ch;
        this.in = in;
        this.decompressed = decompressed;
        this.remaining = array.dataBytes();
    }

    /**
     * The bytes of zip member {@code m} of the archive open as {@code ch}: as stored, or inflated
     * (never more than its recorded size). For reading its header; nothing is checked at its end.
     * Closing it leaves {@code ch} open.
     */
    static InputStream zipMember(FileChannel ch, ZipArchive.Member m, String source) {
        InputStream raw = new Range(ch, m.dataOffset(), m.dataOffset() + m.compressedSize(), source);
        return m.method() == ZipArchive.DEFLATED ? new Inflating(raw, m.size(), source) : raw;
    }

    /** The data of {@code array}, positioned at its first byte. */
    static ArrayBytes open(StoredArray array) throws IOException {
        FileChannel ch = RegularFiles.open(array.info().path());
        try {
            InputStream member;
            long skip;
            if (array.encoding() instanceof StoredArray.InPlace p) {
                long start = p.zip() == null ? p.offset() : p.zip().offset();
                long end = p.zip() == null
                        ? p.offset() + array.dataBytes()
                        : p.zip().offset() + p.zip().size();
                member = new Range(ch, start, end, array.source());
                if (p.zip() != null) {
                    member = new Crc(member, p.zip().crc(), array.source());
                }
                skip = p.offset() - start;
            } else if (array.encoding() instanceof StoredArray.Deflated d) {
                member = new Crc(
                        new Inflating(
                                new Range(ch, d.offset(), d.offset() + d.length(), array.source()),
                                d.size(),
                                array.source()),
                        d.crc(),
                        array.source());
                skip = d.skip();
            } else {
                member = new GzipInput(ch, array.source());
                skip = ((StoredArray.Gzipped) array.encoding()).skip();
            }
            member.skipNBytes(skip);
            return new ArrayBytes(array, ch, member, array.compressed());
        } catch (java.io.EOFException e) {
            ch.close();
            throw shortfall(array, 0, array.compressed());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Bytes of the data still to come. */
    long remaining() {
        return remaining;
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
        if (remaining == 0) {
            finish();
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw shortfall(array, array.dataBytes() - remaining, decompressed);
        }
        remaining -= n;
        return n;
    }

    /** Reads exactly {@code len} bytes, the data having that many left. */
    void readFully(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = read(b, off, len);
            if (n < 0) {
                throw shortfall(array, array.dataBytes() - remaining, decompressed);
            }
            off += n;
            len -= n;
        }
    }

    /** After the last data byte: the stream must end, and its end checks pass. */
    void finish() throws IOException {
        if (ended) {
            return;
        }
        if (remaining > 0) {
            throw new IllegalStateException(remaining + " bytes of " + array.source() + " not read");
        }
        if (in.read() >= 0) {
            DataFileInfo i = array.info();
            throw new MalformedFileException(
                    array.source(),
                    "the header declares " + i.dtype() + " " + Arrays.toString(i.shape())
                            + " = " + array.dataBytes() + " bytes of data but the "
                            + (decompressed ? "file decompresses to" : "member holds")
                            + " more bytes than that");
        }
        ended = true;
    }

    @Override
    public void close() throws IOException {
        try {
            in.close();
        } finally {
            ch.close();
        }
    }

    private static MalformedFileException shortfall(StoredArray array, long present, boolean decompressed) {
        DataFileInfo i = array.info();
        return new MalformedFileException(
                array.source(),
                "the header declares " + i.dtype() + " " + Arrays.toString(i.shape())
                        + " = " + array.dataBytes() + " bytes of data but the file "
                        + (decompressed ? "decompresses to " : "has ") + present
                        + " bytes after the header");
    }

    /** Bytes {@code [start, end)} of a channel; ends early only if the file shrank since its header was read. */
    private static final class Range extends InputStream {
        private final FileChannel ch;
        private final String source;
        private final long end;
        private long position;
        private final ByteBuffer one = ByteBuffer.allocate(1);

        Range(FileChannel ch, long start, long end, String source) {
            this.ch = ch;
            this.position = start;
            this.end = end;
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= end) {
                return -1;
            }
            int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
            if (n < 0) {
                throw new MalformedFileException(
                        source,
                        "the file ends at byte " + position + ", before the " + end
                                + " its header declares; it changed while being read");
            }
            position += n;
            return n;
        }
    }

    /** Checks the CRC-32 of every byte that passes once the stream ends. */
    private static final class Crc extends InputStream {
        private final InputStream in;
        private final long expected;
        private final String source;
        private final CRC32 crc = new CRC32();

        Crc(InputStream in, long expected, String source) {
            this.in = in;
            this.expected = expected;
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n < 0) {
                if (crc.getValue() != expected) {
                    throw new MalformedFileException(
                            source,
                            String.format(
                                    "CRC-32 mismatch: the archive records %08x, the" + " member's bytes give %08x",
                                    expected, crc.getValue()));
                }
                return -1;
            }
            crc.update(b, off, n);
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Raw deflate data inflated: at most {@code size} bytes (the member's recorded size; one more is
     * an error at once), and at the end no fewer, and no compressed bytes after the deflate stream.
     */
    private static final class Inflating extends InputStream {
        private final InputStream in;
        private final long size;
        private final String source;
        private final Inflater inflater = new Inflater(true);
        private final byte[] input = new byte[BUFFER];
        private long produced;
        private boolean inputEnded;

        Inflating(InputStream in, long size, String source) {
            this.in = in;
            this.size = size;
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            return read(b, 0, 1) < 0 ? -1 : b[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                int n;
                try {
                    n = inflater.inflate(b, off, len);
                } catch (DataFormatException e) {
                    throw new MalformedFileException(source, "corrupt zip member data: " + e.getMessage());
                }
                if (n > 0) {
                    produced += n;
                    if (produced > size) {
                        throw new MalformedFileException(
                                source,
                                "the member inflates to more than the " + size + " bytes the archive records for it");
                    }
                    return n;
                }
                if (inflater.finished()) {
                    if (inflater.getRemaining() > 0 || (!inputEnded && in.read() >= 0)) {
                        throw new MalformedFileException(
                                source, "compressed bytes follow the end of the member's deflate stream");
                    }
                    if (produced != size) {
                        throw new MalformedFileException(
                                source,
                                "the member inflates to " + produced + " bytes but the archive" + " records " + size);
                    }
                    return -1;
                }
                if (inflater.needsDictionary()) {
                    throw new MalformedFileException(
                            source, "corrupt zip member data: it asks for a preset dictionary");
                }
                if (!inflater.needsInput()) {
                    throw new MalformedFileException(source, "corrupt zip member data");
                }
                int got = in.read(input, 0, input.length);
                if (got < 0) {
                    inputEnded = true;
                    throw new MalformedFileException(
                            source,
                            "the member's compressed data ends inside its deflate stream:"
                                    + " the archive is truncated or corrupt");
                }
                inflater.setInput(input, 0, got);
            }
        }

        @Override
        public void close() throws IOException {
            inflater.end();
            in.close();
        }
    }
}
