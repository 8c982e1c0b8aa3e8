package dev.saekit.io;

import dev.saekit.files.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The zip container of {@link TorchArchive#write}: stored members, each member's data 64-byte aligned
 * by a padding extra field (id {@code 0x4246}, as PyTorch's writer pads), a central directory and
 * its end record. Written through {@link AtomicFiles}: nothing is left behind on failure.
 */
final class TorchZipWriter {
    private static final int LOCAL = 0x04034b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int END = 0x06054b50;
    private static final int PADDING_ID = 0x4246;
    private static final int DOS_DATE_1980 = (1 << 5) | 1;
    private static final long LIMIT = 0xFFFF_FFFFL;

    private record Entry(String name, long crc, long size, long headerOffset) {}

    private final FileChannel ch;
    private final List<Entry> entries = new ArrayList<>();
    private long position;

    private TorchZipWriter(FileChannel ch) {
        this.ch = ch;
    }

    static void write(Path file, TorchArchive.Root root, Map<String, TorchArchive.Stored> tensors, List<String> modules)
            throws IOException {
        String stem = file.getFileName().toString();
        int dot = stem.indexOf('.');
        String prefix = (dot > 0 ? stem.substring(0, dot) : stem.isEmpty() ? "archive" : stem) + "/";
        PickleWriter pickle = new PickleWriter(root);
        List<byte[]> storages = new ArrayList<>();
        MessageDigest digest = sha256();
        for (Map.Entry<String, TorchArchive.Stored> e : tensors.entrySet()) {
            TorchArchive.Stored s = e.getValue();
            String key = Integer.toString(storages.size());
            pickle.tensor(e.getKey(), storageClass(s.type()), key, s.values().shape());
            byte[] data = encode(s);
            digest.update(data);
            storages.add(data);
        }
        byte[] pkl = pickle.finish(modules);
        digest.update(pkl);
        AtomicFiles.write(file, ch -> {
            TorchZipWriter w = new TorchZipWriter(ch);
            w.member(prefix + "data.pkl", pkl);
            w.member(prefix + ".format_version", ascii("1"));
            w.member(prefix + ".storage_alignment", ascii(Integer.toString(TorchArchive.ALIGNMENT)));
            w.member(prefix + "byteorder", ascii("little"));
            for (int i = 0; i < storages.size(); i++) {
                w.member(prefix + "data/" + i, storages.get(i));
            }
            w.member(prefix + "version", ascii("3\n"));
            w.member(prefix + ".data/serialization_id", ascii(serializationId(digest.digest())));
            w.finish();
        });
    }

    private void member(String name, byte[] data) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        long dataAt = position + 30 + nameBytes.length + 4;
        int pad = (int) ((TorchArchive.ALIGNMENT - dataAt % TorchArchive.ALIGNMENT) % TorchArchive.ALIGNMENT);
        CRC32 crc = new CRC32();
        crc.update(data);
        if (position > LIMIT || data.length > LIMIT) {
            throw new IOException("a .pt archive over 4 GiB needs zip64, which saekit does not write");
        }
        ByteBuffer h = ByteBuffer.allocate(30 + nameBytes.length + 4 + pad).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(LOCAL).putShort((short) 20).putShort((short) 0).putShort((short) 0);
        h.putShort((short) 0).putShort((short) DOS_DATE_1980);
        h.putInt((int) crc.getValue()).putInt(data.length).putInt(data.length);
        h.putShort((short) nameBytes.length).putShort((short) (4 + pad));
        h.put(nameBytes).putShort((short) PADDING_ID).putShort((short) pad);
        for (int i = 0; i < pad; i++) {
            h.put((byte) 'Z');
        }
        entries.add(new Entry(name, crc.getValue(), data.length, position));
        put(h.flip());
        put(ByteBuffer.wrap(data));
    }

    private void finish() throws IOException {
        long start = position;
        for (Entry e : entries) {
            byte[] nameBytes = e.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer c = ByteBuffer.allocate(46 + nameBytes.length).order(ByteOrder.LITTLE_ENDIAN);
            c.putInt(CENTRAL)
                    .putShort((short) 20)
                    .putShort((short) 20)
                    .putShort((short) 0)
                    .putShort((short) 0);
            c.putShort((short) 0).putShort((short) DOS_DATE_1980);
            c.putInt((int) e.crc()).putInt((int) e.size()).putInt((int) e.size());
            c.putShort((short) nameBytes.length).putShort((short) 0).putShort((short) 0);
            c.putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) e.headerOffset());
            c.put(nameBytes);
            put(c.flip());
        }
        if (position > LIMIT) {
            throw new IOException("a .pt archive over 4 GiB needs zip64, which saekit does not write");
        }
        ByteBuffer end = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        end.putInt(END).putShort((short) 0).putShort((short) 0);
        end.putShort((short) entries.size()).putShort((short) entries.size());
        end.putInt((int) (position - start)).putInt((int) start).putShort((short) 0);
        put(end.flip());
    }

    private void put(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            position += ch.write(b);
        }
    }

    private static String storageClass(ElementType type) {
        return switch (type) {
            case FLOAT32 -> "FloatStorage";
            case FLOAT64 -> "DoubleStorage";
            case INT32 -> "IntStorage";
            case INT64 -> "LongStorage";
            default ->
                throw new IllegalArgumentException(
                        "saekit writes float32, float64, int32 and int64 tensors to .pt files, not " + type);
        };
    }

    /** The values of {@code s} in C order as little-endian {@code s.type()}; integers must be exact. */
    private static byte[] encode(TorchArchive.Stored s) {
        INDArray v = s.values().dup('c').castTo(DataType.DOUBLE);
        long n = v.length();
        long bytes = Math.multiplyExact(n, (long) s.type().size());
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a tensor of " + bytes + " bytes; saekit writes storages below 2 GiB");
        }
        ByteBuffer b = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        double[] d = v.data().asDouble();
        for (double x : d) {
            switch (s.type()) {
                case FLOAT32 -> b.putFloat((float) x);
                case FLOAT64 -> b.putDouble(x);
                case INT32 -> b.putInt((int) exactInteger(x, Integer.MIN_VALUE, Integer.MAX_VALUE));
                case INT64 -> b.putLong(exactInteger(x, -(1L << 53), 1L << 53));
                default -> throw new IllegalArgumentException(storageClass(s.type()));
            }
        }
        return b.array();
    }

    private static long exactInteger(double x, long min, long max) {
        if (x != Math.rint(x) || x < min || x > max) {
            throw new IllegalArgumentException(x + " is not an integer that the tensor's type holds");
        }
        return (long) x;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** 40 decimal digits, as torch's, here derived from the content so that a file is reproducible. */
    private static String serializationId(byte[] sha) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; sb.length() < 40; i++) {
            sb.append(Math.floorMod(sha[i % sha.length] + i, 10));
        }
        return sb.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256, which every Java platform has", e);
        }
    }
}
