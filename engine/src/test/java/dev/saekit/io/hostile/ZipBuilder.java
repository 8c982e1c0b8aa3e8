package dev.saekit.io.hostile;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Zip archives built byte by byte, with every field open to abuse: what {@code java.util.zip}
 * would never write (lying sizes and CRCs, overlapping members, zip64 records for small archives,
 * bytes after the end record) is one setter away. Without abuse it writes what {@code zipfile}
 * writes: local header, data, central directory, end record.
 */
public final class ZipBuilder {
    /** One member; the public fields override what the builder would write. */
    public static final class Entry {
        public final String name;
        public final byte[] content;
        public final boolean deflated;
        public byte[] stored;
        public Long crc;
        public Long size;
        public Long compressedSize;
        public Integer method;
        public int flags;
        public String localName;
        /** Write this entry's sizes and offset as 0xFFFFFFFF with a zip64 extra field. */
        public boolean zip64;
        /** Point this entry's central record at another entry's local header (an overlap). */
        public Integer sameLocalAs;
        /** Bytes appended after the deflate stream, inside the member's compressed data. */
        public byte[] afterStream = new byte[0];

        Entry(String name, byte[] content, boolean deflated) {
            this.name = name;
            this.content = content;
            this.deflated = deflated;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private byte[] prefix = new byte[0];
    private byte[] trailing = new byte[0];
    private boolean zip64End;
    private Integer countOverride;
    private Long directoryOffsetOverride;
    private byte[] comment = new byte[0];

    /** Adds a member and returns it for abuse. */
    public Entry add(String name, byte[] content, boolean deflated) {
        Entry e = new Entry(name, content, deflated);
        entries.add(e);
        return e;
    }

    public ZipBuilder prefix(byte[] bytes) {
        this.prefix = bytes;
        return this;
    }

    public ZipBuilder trailing(byte[] bytes) {
        this.trailing = bytes;
        return this;
    }

    public ZipBuilder comment(byte[] bytes) {
        this.comment = bytes;
        return this;
    }

    /** Writes a zip64 end record and locator before the end record (as archives above 4 GiB have). */
    public ZipBuilder zip64End() {
        this.zip64End = true;
        return this;
    }

    public ZipBuilder countOverride(int count) {
        this.countOverride = count;
        return this;
    }

    public ZipBuilder directoryOffsetOverride(long offset) {
        this.directoryOffsetOverride = offset;
        return this;
    }

    /** Raw deflate (no zlib header) of {@code content}, as zip members hold it. */
    public static byte[] deflate(byte[] content) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(content);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return out.toByteArray();
    }

    public static long crc(byte[] content) {
        CRC32 c = new CRC32();
        c.update(content);
        return c.getValue();
    }

    public byte[] build() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix);
        long[] localOffsets = new long[entries.size()];
        byte[][] data = new byte[entries.size()][];
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] d = e.stored != null ? e.stored : e.deflated ? deflate(e.content) : e.content;
            if (e.afterStream.length > 0) {
                byte[] longer = new byte[d.length + e.afterStream.length];
                System.arraycopy(d, 0, longer, 0, d.length);
                System.arraycopy(e.afterStream, 0, longer, d.length, e.afterStream.length);
                d = longer;
            }
            data[i] = d;
            localOffsets[i] = out.size();
            byte[] name = (e.localName != null ? e.localName : e.name).getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = le(30);
            h.putInt(0x04034b50)
                    .putShort((short) 20)
                    .putShort((short) e.flags)
                    .putShort((short) method(e))
                    .putShort((short) 0)
                    .putShort((short) 0x21)
                    .putInt((int) crc(e))
                    .putInt((int) compressed(e, d))
                    .putInt((int) size(e))
                    .putShort((short) name.length)
                    .putShort((short) 0);
            out.writeBytes(h.array());
            out.writeBytes(name);
            out.writeBytes(d);
        }
        long directoryStart = out.size();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            long offset = e.sameLocalAs != null ? localOffsets[e.sameLocalAs] : localOffsets[i];
            byte[] extra = new byte[0];
            if (e.zip64) {
                extra = le(4 + 24)
                        .putShort((short) 1)
                        .putShort((short) 24)
                        .putLong(size(e))
                        .putLong(compressed(e, data[i]))
                        .putLong(offset)
                        .array();
            }
            ByteBuffer c = le(46);
            c.putInt(0x02014b50)
                    .putShort((short) 0x031e)
                    .putShort((short) 20)
                    .putShort((short) e.flags)
                    .putShort((short) method(e))
                    .putShort((short) 0)
                    .putShort((short) 0x21)
                    .putInt((int) crc(e))
                    .putInt(e.zip64 ? -1 : (int) compressed(e, data[i]))
                    .putInt(e.zip64 ? -1 : (int) size(e))
                    .putShort((short) name.length)
                    .putShort((short) extra.length)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt(0)
                    .putInt(e.zip64 ? -1 : (int) offset);
            out.writeBytes(c.array());
            out.writeBytes(name);
            out.writeBytes(extra);
        }
        long directoryEnd = out.size();
        long count = countOverride != null ? countOverride : entries.size();
        long directoryOffset = directoryOffsetOverride != null ? directoryOffsetOverride : directoryStart;
        if (zip64End) {
            long recordAt = out.size();
            out.writeBytes(le(56).putInt(0x06064b50)
                    .putLong(44)
                    .putShort((short) 45)
                    .putShort((short) 45)
                    .putInt(0)
                    .putInt(0)
                    .putLong(count)
                    .putLong(count)
                    .putLong(directoryEnd - directoryStart)
                    .putLong(directoryOffset)
                    .array());
            out.writeBytes(le(20).putInt(0x07064b50)
                    .putInt(0)
                    .putLong(recordAt)
                    .putInt(1)
                    .array());
        }
        ByteBuffer end = le(22);
        end.putInt(0x06054b50)
                .putShort((short) 0)
                .putShort((short) 0)
                .putShort((short) (zip64End ? 0xFFFF : count))
                .putShort((short) (zip64End ? 0xFFFF : count))
                .putInt((int) (directoryEnd - directoryStart))
                .putInt(zip64End ? -1 : (int) directoryOffset)
                .putShort((short) comment.length);
        out.writeBytes(end.array());
        out.writeBytes(comment);
        out.writeBytes(trailing);
        return out.toByteArray();
    }

    private static int method(Entry e) {
        return e.method != null ? e.method : e.deflated ? 8 : 0;
    }

    private static long crc(Entry e) {
        return e.crc != null ? e.crc : crc(e.content);
    }

    private static long size(Entry e) {
        return e.size != null ? e.size : e.content.length;
    }

    private static long compressed(Entry e, byte[] data) {
        return e.compressedSize != null ? e.compressedSize : data.length;
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
