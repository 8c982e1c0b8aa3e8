package dev.saekit.io.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;

/** The bytes of data files written by hand: {@code .npy}, IDX, gzip and safetensors, with every field under the caller's control. */
public final class DataBytes {
    private DataBytes() {}

    /** A {@code .npy} file of format {@code major}.0: the dict padded with spaces and '\n' to a multiple of 64, then {@code data}. */
    public static byte[] npy(int major, String dict, byte[] data) {
        int lengthBytes = major == 1 ? 2 : 4;
        int unpadded = 8 + lengthBytes + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b =
                ByteBuffer.allocate(8 + lengthBytes + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        return b.put(text).put(data).array();
    }

    /** The header dict NumPy writes: {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}. */
    public static String dict(String descr, boolean fortran, long... shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        s.append(shape.length == 1 ? ",)" : ")");
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + s
                + ", }";
    }

    /** A version 1.0 {@code .npy} of little-endian float32 {@code values} with {@code shape}. */
    public static byte[] npyF4(long[] shape, float... values) {
        return npy(1, dict("<f4", false, shape), floats(ByteOrder.LITTLE_ENDIAN, values));
    }

    /** A version 1.0 {@code .npy} of little-endian float64 {@code values} with {@code shape}. */
    public static byte[] npyF8(long[] shape, double... values) {
        return npy(1, dict("<f8", false, shape), doubles(ByteOrder.LITTLE_ENDIAN, values));
    }

    public static byte[] floats(ByteOrder order, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(order);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    public static byte[] doubles(ByteOrder order, double... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(order);
        for (double v : values) {
            b.putDouble(v);
        }
        return b.array();
    }

    /** {@code n} float32 values {@code i * 0.25 - 3}, for files whose content does not matter. */
    public static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.25f - 3;
        }
        return v;
    }

    /** An IDX file: {@code 00 00 type rank}, the dimensions as big-endian int32s, then {@code data}. */
    public static byte[] idx(int type, long[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length); // big-endian
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (long d : dims) {
            b.putInt((int) d);
        }
        return b.put(data).array();
    }

    /** {@code content} gzip-compressed as {@code gzip} would write it. */
    public static byte[] gzip(byte[] content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * One gzip member with the optional header fields of RFC 1952 set: {@code extra} (FEXTRA),
     * {@code name} (FNAME), {@code comment} (FCOMMENT), a header CRC (FHCRC), each when not null.
     */
    public static byte[] gzipMember(byte[] content, byte[] extra, String name, String comment, boolean headerCrc) {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        int flags = (extra != null ? 4 : 0) | (name != null ? 8 : 0) | (comment != null ? 16 : 0) | (headerCrc ? 2 : 0);
        h.writeBytes(new byte[] {0x1F, (byte) 0x8B, 8, (byte) flags, 0, 0, 0, 0, 0, 3});
        if (extra != null) {
            h.write(extra.length & 0xFF);
            h.write(extra.length >>> 8);
            h.writeBytes(extra);
        }
        for (String s : new String[] {name, comment}) {
            if (s != null) {
                h.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
                h.write(0);
            }
        }
        if (headerCrc) {
            CRC32 c = new CRC32();
            c.update(h.toByteArray());
            h.write((int) c.getValue() & 0xFF);
            h.write((int) (c.getValue() >>> 8) & 0xFF);
        }
        h.writeBytes(ZipBuilder.deflate(content));
        h.writeBytes(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) ZipBuilder.crc(content))
                .putInt(content.length)
                .array());
        return h.toByteArray();
    }

    /** A safetensors file: the 8-byte little-endian length of {@code json}, the JSON, then {@code data}. */
    public static byte[] safetensors(String json, byte[] data) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + header.length + data.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length)
                .put(header)
                .put(data)
                .array();
    }

    /** {@code a} then {@code b}. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
