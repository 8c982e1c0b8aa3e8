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
