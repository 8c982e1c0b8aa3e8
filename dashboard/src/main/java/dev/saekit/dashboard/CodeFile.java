package dev.saekit.dashboard;

import dev.saekit.concepts.DenseBlock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The scan's sparse codes kept on disk beside its statistics, so that the contexts shown afterwards
 * read their rows' codes instead of encoding those rows again. {@value #CODES} holds each row's
 * non-zero codes as (int32 concept, float32 value) pairs, rows one after another;
 * {@value #OFFSETS} holds where each row starts (int64, little-endian), then where the last ends.
 * Both grow with the scan and are cut back to the saved rows when a scan continues. Codes that would
 * pass {@link #MAX_BYTES} are not kept (the contexts then encode their rows again), so the disk they
 * take stays bounded whatever the data.
 */
final class CodeFile implements AutoCloseable {
    static final String CODES = "codes.bin";
    static final String OFFSETS = "codes-offsets.bin";
    /** The most bytes of codes kept: beyond, the file is dropped. */
    static final long MAX_BYTES = 2L << 30;

    private final Path dir;
    private final FileChannel codes;
    private final FileChannel offsets;
    private final ByteBuffer codeBuffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer offsetBuffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long end; // bytes of codes written, buffered included
    private boolean dropped;

    private CodeFile(Path dir, FileChannel codes, FileChannel offsets, long end) {
        this.dir = dir;
        this.codes = codes;
        this.offsets = offsets;
        this.end = end;
    }

    /**
     * The code file in {@code dir}, ready to append after row {@code rows}: files that hold more rows
     * are cut back; files that hold fewer (codes of an earlier scan that were dropped, or not saved)
     * are replaced, and only if {@code rows} is 0, since rows before cannot be had: else null.
     */
    static CodeFile append(Path dir, long rows) throws IOException {
        Path c = dir.resolve(CODES);
        Path o = dir.resolve(OFFSETS);
        long end = 0;
        boolean usable = rows > 0 && Files.exists(c) && Files.exists(o) && Files.size(o) >= 8 * (rows + 1);
        if (usable) {
            end = offsetAt(o, rows);
            usable = Files.size(c) >= end;
        }
        if (!usable) {
            Files.deleteIfExists(c);
            Files.deleteIfExists(o);
            if (rows > 0) {
                return null;
            }
        }
        FileChannel codes = FileChannel.open(c, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileChannel offsets = FileChannel.open(o, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        codes.truncate(end);
        offsets.truncate(usable ? 8 * (rows + 1) : 0);
        codes.position(end);
        offsets.position(offsets.size());
        CodeFile f = new CodeFile(dir, codes, offsets, end);
        if (!usable) {
            f.offset(0);
        }
        return f;
    }

    private static long offsetAt(Path offsets, long row) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(offsets, StandardOpenOption.READ)) {
            while (b.hasRemaining() && ch.read(b, 8 * row + b.position()) >= 0) {
                // read on
            }
        }
        return b.flip().getLong();
    }

    /** Appends a block of sparse rows; past {@link #MAX_BYTES} the file is dropped and later blocks ignored. */
    void add(DenseBlock block) throws IOException {
        add(block, 0);
    }

    /** Appends rows {@code from ..} of a block (a continued pass starts inside one), as {@link #add(DenseBlock)}. */
    void add(DenseBlock block, int from) throws IOException {
        if (dropped) {
            return;
        }
        int[] indptr = block.indptr();
        if (end + 8L * (indptr[block.rows()] - indptr[from]) > MAX_BYTES) {
            drop();
            return;
        }
        for (int r = from; r < block.rows(); r++) {
            for (int e = indptr[r]; e < indptr[r + 1]; e++) {
                if (codeBuffer.remaining() < 8) {
                    drain(codeBuffer, codes);
                }
                codeBuffer.putInt(block.indices()[e]).putFloat(block.values()[e]);
                end += 8;
            }
            offset(end);
        }
    }

    private void offset(long at) throws IOException {
        if (offsetBuffer.remaining() < 8) {
            drain(offsetBuffer, offsets);
        }
        offsetBuffer.putLong(at);
    }

    /** Writes what is buffered and forces it to disk: called before the statistics are saved. */
    void flush() throws IOException {
        if (dropped) {
            return;
        }
        drain(codeBuffer, codes);
        drain(offsetBuffer, offsets);
        codes.force(false);
        offsets.force(false);
    }

    private static void drain(ByteBuffer b, FileChannel ch) throws IOException {
        b.flip();
        while (b.hasRemaining()) {
            ch.write(b);
        }
        b.clear();
    }

    private void drop() throws IOException {
        dropped = true;
        close();
        Files.deleteIfExists(dir.resolve(CODES));
        Files.deleteIfExists(dir.resolve(OFFSETS));
    }

    @Override
    public void close() throws IOException {
        if (codes.isOpen()) {
            if (!dropped) {
                flush();
            }
            codes.close();
            offsets.close();
        }
    }

    /** Reads rows' codes back; rows asked in any order, best in increasing order. */
    static final class Reader implements AutoCloseable {
        private final FileChannel codes;
        private final FileChannel offsets;
        private final ByteBuffer pair = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        private ByteBuffer entries = ByteBuffer.allocate(1 << 12).order(ByteOrder.LITTLE_ENDIAN);
        private long loaded = -1;

        private Reader(FileChannel codes, FileChannel offsets) {
            this.codes = codes;
            this.offsets = offsets;
        }

        /** The codes of a scan of {@code rows} rows kept in {@code dir}, or null if they were not kept whole. */
        static Reader open(Path dir, long rows) throws IOException {
            Path c = dir.resolve(CODES);
            Path o = dir.resolve(OFFSETS);
            if (!Files.exists(c)
                    || !Files.exists(o)
                    || Files.size(o) != 8 * (rows + 1)
                    || Files.size(c) != offsetAt(o, rows)) {
                return null;
            }
            return new Reader(
                    FileChannel.open(c, StandardOpenOption.READ), FileChannel.open(o, StandardOpenOption.READ));
        }

        /** Concept {@code concept}'s code at row {@code row} (0 where it did not fire). */
        float value(long row, int concept) throws IOException {
            if (row != loaded) {
                load(row);
            }
            for (int at = 0; at < entries.limit(); at += 8) {
                if (entries.getInt(at) == concept) {
                    return entries.getFloat(at + 4);
                }
            }
            return 0;
        }

        private void load(long r) throws IOException {
            pair.clear();
            read(offsets, pair, 8 * r);
            long from = pair.getLong(0);
            long to = pair.getLong(8);
            int length = Math.toIntExact(to - from);
            if (entries.capacity() < length) {
                entries = ByteBuffer.allocate(Integer.highestOneBit(length) * 2).order(ByteOrder.LITTLE_ENDIAN);
            }
            entries.clear().limit(length);
            read(codes, entries, from);
            loaded = r;
        }

        private static void read(FileChannel ch, ByteBuffer b, long at) throws IOException {
            long start = at - b.position();
            while (b.hasRemaining()) {
                if (ch.read(b, start + b.position()) < 0) {
                    throw new java.io.EOFException("the scan's codes end early");
                }
            }
            b.flip();
        }

        @Override
        public void close() throws IOException {
            codes.close();
            offsets.close();
        }
    }
}
