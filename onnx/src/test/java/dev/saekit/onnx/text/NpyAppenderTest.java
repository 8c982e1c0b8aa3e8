package dev.saekit.onnx.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows appended block by block give the bytes {@code numpy.save} writes for the whole array (the
 * fixtures were written by {@code make_npy_fixtures.py} beside them).
 */
class NpyAppenderTest {
    @TempDir
    Path tmp;

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = NpyAppenderTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aFloatMatrixWrittenInTwoBlocksIsWhatNumpyWrites() throws IOException {
        Path file = tmp.resolve("f.npy");
        try (NpyAppender a = NpyAppender.floats(file, 3)) {
            a.append(new float[] {1.5f, -2.0f, 0.25f, 99f}, 1); // only the first row counts
            a.append(new float[] {3.0f, 1e-8f, -0.0f}, 1);
            a.commit();
        }
        assertArrayEquals(fixture("float32-2x3.npy"), Files.readAllBytes(file));
    }

    @Test
    void integerVectorsAreWhatNumpyWrites() throws IOException {
        Path longs = tmp.resolve("l.npy");
        try (NpyAppender a = NpyAppender.longs(longs)) {
            a.append(new long[] {0, 7}, 2);
            a.append(new long[] {123_456_789_012L}, 1);
            a.commit();
        }
        assertArrayEquals(fixture("int64-3.npy"), Files.readAllBytes(longs));
        Path ints = tmp.resolve("i.npy");
        try (NpyAppender a = NpyAppender.ints(ints)) {
            a.append(new int[] {101, -1, 0, Integer.MAX_VALUE}, 4);
            a.commit();
        }
        assertArrayEquals(fixture("int32-4.npy"), Files.readAllBytes(ints));
    }

    @Test
    void blocksLargerThanOneWriteArriveWholeAndInOrder() throws IOException {
        // 700 rows of 1,000 floats (2.8 MB) and 300,001 longs (2.4 MB): several chunked writes each,
        // the last one partial; read back, every value is where it was appended
        int rows = 700;
        int width = 1000;
        float[] values = new float[rows * width];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 17;
        }
        Path file = tmp.resolve("big.npy");
        try (NpyAppender a = NpyAppender.floats(file, width)) {
            a.append(values, 300);
            float[] rest = java.util.Arrays.copyOfRange(values, 300 * width, values.length);
            a.append(rest, rows - 300);
            a.commit();
        }
        org.nd4j.linalg.api.ndarray.INDArray back = dev.saekit.io.Npy.read(file);
        assertArrayEquals(new long[] {rows, width}, back.shape());
        assertArrayEquals(values, back.data().asFloat());

        long[] ids = new long[300_001];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 3L * i - 5;
        }
        Path longs = tmp.resolve("ids.npy");
        try (NpyAppender a = NpyAppender.longs(longs)) {
            a.append(ids, ids.length);
            a.commit();
        }
        assertArrayEquals(ids, dev.saekit.io.Npy.read(longs).data().asLong());
    }

    @Test
    void anUncommittedFileLeavesNothingBehind() throws IOException {
        Path file = tmp.resolve("never.npy");
        try (NpyAppender a = NpyAppender.ints(file)) {
            a.append(new int[] {1, 2}, 2);
        }
        assertFalse(Files.exists(file));
        try (var entries = Files.list(tmp)) {
            assertFalse(entries.findAny().isPresent(), "no temporary file is left");
        }
    }
}
