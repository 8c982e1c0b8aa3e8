package dev.saekit.io;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test helpers: the fixture files and the formula their values follow, and hand-made .npy bytes. */
final class NpyFixtures {
    private NpyFixtures() {}

    /** A file under {@code src/test/resources/npy/}. */
    static Path fixture(String name) {
        URL url = NpyFixtures.class.getResource("/npy/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no test resource npy/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The values of make_npy_fixtures.py: element i (C order) is {@code i * 0.37 - 1.5}, cast to {@code dtype}. */
    static INDArray ramp(DType dtype, long... shape) {
        double[] v = new double[Math.toIntExact(Tensors.elementCount(shape))];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.37 - 1.5;
        }
        if (dtype == DType.FLOAT32) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            return v.length == 0 ? Tensors.zeros(dtype, shape) : Tensors.fromFlat(dtype, f, shape);
        }
        return v.length == 0 ? Tensors.zeros(dtype, shape) : Tensors.fromFlat(dtype, v, shape);
    }

    /** "3 4" to {3, 4}; "" to the 0-d shape. */
    static long[] shape(String text) {
        String t = text == null ? "" : text.trim();
        return t.isEmpty()
                ? new long[0]
                : java.util.Arrays.stream(t.split("\\s+"))
                        .mapToLong(Long::parseLong)
                        .toArray();
    }

    /** A .npy file of format {@code major}.0 with header {@code dict} (plus '\n') and {@code dataBytes} zero bytes. */
    static byte[] npy(int major, String dict, int dataBytes) {
        byte[] text = (dict + "\n").getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer b =
                ByteBuffer.allocate(8 + lengthBytes + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        return b.put(text).array();
    }

    /** A version 1.0 header dict for {@code descr} and {@code shape} (Python syntax). */
    static String dict(String descr, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    }
}
