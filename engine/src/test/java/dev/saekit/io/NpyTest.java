package dev.saekit.io;

import static dev.saekit.io.NpyFixtures.fixture;
import static dev.saekit.io.NpyFixtures.ramp;
import static dev.saekit.io.NpyFixtures.shape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reading the fixtures NumPy wrote (make_npy_fixtures.py) and writing the same bytes. */
class NpyTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "f4_scalar.npy, float32, ''",
        "f4_1d.npy, float32, 7",
        "f4_2d.npy, float32, 3 4",
        "f4_3d.npy, float32, 2 3 4",
        "f4_empty.npy, float32, 0 5",
        "f4_long_first_axis_empty.npy, float32, 1234567 0",
        "f8_scalar.npy, float64, ''",
        "f8_1d.npy, float64, 7",
        "f8_2d.npy, float64, 3 4",
        "f8_3d.npy, float64, 2 3 4",
        "f8_empty.npy, float64, 0 5",
    })
    void readsWhatNumpyWroteAndWritesTheSameBytes(String file, String dtype, String shapeText) throws IOException {
        DType type = DType.parse(dtype);
        INDArray expected = ramp(type, shape(shapeText));

        INDArray read = Npy.read(fixture(file));
        assertSame(expected, read);

        Path written = tmp.resolve(file);
        Npy.write(written, expected);
        assertArrayEquals(Files.readAllBytes(fixture(file)), Files.readAllBytes(written), file);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "be_f4_2d.npy, float32, 3 4", "be_f8_3d.npy, float64, 2 3 4",
        "fortran_f4_3d.npy, float32, 2 3 4", "fortran_be_f8_2d.npy, float64, 3 4",
        "f4_2d_v2.npy, float32, 3 4", "f4_2d_v3.npy, float32, 3 4",
    })
    void readsBigEndianFortranOrderAndNewerVersions(String file, String dtype, String shapeText) throws IOException {
        assertSame(ramp(DType.parse(dtype), shape(shapeText)), Npy.read(fixture(file)));
    }

    @Test
    void headerIsReadWithoutTheData() throws IOException {
        assertEquals(new NpyHeader("<f4", false, new long[] {2, 3, 4}), Npy.header(fixture("f4_3d.npy")));
        assertEquals(new NpyHeader(">f8", true, new long[] {3, 4}), Npy.header(fixture("fortran_be_f8_2d.npy")));
        NpyHeader scalar = Npy.header(fixture("f8_scalar.npy"));
        assertEquals(0, scalar.rank());
        assertEquals(1, scalar.elementCount());
        assertEquals(8, scalar.dataBytes());
        assertEquals("()", scalar.shapeText());
        assertEquals("(7,)", Npy.header(fixture("f4_1d.npy")).shapeText());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // file, dtype the reader returns, values (extremes of each integer type)
        "i1_extremes.npy, float32, -128 -127 -1 0 1 2 126 127",
        "i2_extremes.npy, float32, -32768 -32767 -1 0 1 2 32766 32767",
        "u1_extremes.npy, float32, 0 1 2 127 254 255",
        "u2_extremes.npy, float32, 0 1 2 32767 65534 65535",
        "i4_extremes.npy, float64, -2147483648 -2147483647 -1 0 1 2 2147483646 2147483647",
        "be_i4_extremes.npy, float64, -2147483648 -1 0 1 2147483647",
        "u4_extremes.npy, float64, 0 1 2 2147483647 4294967294 4294967295",
        "i8_extremes.npy, float64, -9223372036854775808 -9223372036854775807 -1 0 1 2 9223372036854775806 9223372036854775807",
        "u8_extremes.npy, float64, 0 1 2 9223372036854775807 18446744073709551614 18446744073709551615",
    })
    void readsIntegersAsTheNearestFloats(String file, String dtype, String values) throws IOException {
        INDArray a = Npy.read(fixture(file));
        assertEquals(DType.parse(dtype).nd4j(), a.dataType());
        // integers up to 32 bits are exact; 64-bit ones round to the nearest double
        double[] expected = Stream.of(values.split(" "))
                .mapToDouble(v -> new BigInteger(v).doubleValue())
                .toArray();
        assertArrayEquals(expected, a.castTo(DataType.DOUBLE).toDoubleVector(), 0.0);
    }

    @Test
    void readsHalfPrecisionExactlyIncludingSubnormalsAndInfinities() throws IOException {
        INDArray a = Npy.read(fixture("f2_specials.npy"));
        assertEquals(DataType.FLOAT, a.dataType());
        float[] expected = {
            0f, -0f, 1f, -2.5f, 65504f, 0x1p-14f, 0x1p-24f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY
        };
        float[] actual = a.toFloatVector();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), "element " + i);
        }
        assertTrue(Float.isNaN(Float16.toFloat((short) 0x7E00)));
    }

    @Test
    void roundTripsSpecialValuesBitForBit() throws IOException {
        double[] specials = {
            Double.NaN,
            -0.0,
            0.0,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE,
            Double.MAX_VALUE,
            -1e-300,
            Math.PI,
            1.0 / 3
        };
        for (DType dtype : DType.values()) {
            INDArray a = Tensors.fromFlat(dtype, specials, 2, 5);
            Path f = tmp.resolve("specials-" + dtype + ".npy");
            Npy.write(f, a);
            INDArray b = Npy.read(f);
            assertEquals(a.dataType(), b.dataType());
            assertArrayEquals(a.shape(), b.shape());
            double[] x = a.dup().data().asDouble();
            double[] y = b.dup().data().asDouble();
            for (int i = 0; i < x.length; i++) {
                assertEquals(
                        Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), dtype + " element " + i);
            }
        }
    }

    @Test
    void writesViewsAndFortranOrderArraysInCOrder() throws IOException {
        INDArray base = ramp(DType.FLOAT32, 4, 6);
        INDArray view = base.get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 5));
        Npy.write(tmp.resolve("view.npy"), view);
        assertSame(view.dup('c'), Npy.read(tmp.resolve("view.npy")));
        INDArray transposed = base.transpose(); // a Fortran-order view of [6, 4]
        Npy.write(tmp.resolve("t.npy"), transposed);
        assertSame(transposed.dup('c'), Npy.read(tmp.resolve("t.npy")));
    }

    @Test
    void streamReadingAgreesWithFileReading() throws IOException {
        for (String file : List.of(
                "f4_3d.npy", "be_f8_3d.npy", "fortran_f4_3d.npy", "f4_2d_v3.npy", "f8_scalar.npy", "f4_empty.npy")) {
            try (InputStream in = Files.newInputStream(fixture(file))) {
                assertSame(Npy.read(fixture(file)), Npy.read(in, file));
            }
        }
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
        Path f = tmp.resolve("x.npy");
        Npy.write(f, ramp(DType.FLOAT64, 5, 5));
        Npy.write(f, ramp(DType.FLOAT32, 2));
        assertSame(ramp(DType.FLOAT32, 2), Npy.read(f));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    @Test
    void aFailedWriteLeavesNothingBehind() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("taken"));
        Files.writeString(dir.resolve("keep.txt"), "a non-empty directory cannot be replaced by a file");
        assertThrows(IOException.class, () -> Npy.write(dir, ramp(DType.FLOAT32, 3)));
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(dir), files.toList(), "the temporary file must be deleted");
        }
        assertThrows(IOException.class, () -> Npy.write(tmp.resolve("missing/dir/x.npy"), ramp(DType.FLOAT32, 3)));
        assertFalse(Files.exists(tmp.resolve("missing")));
    }

    @Test
    void writeRefusesIntegerArrays() {
        INDArray ints = ramp(DType.FLOAT32, 3).castTo(DataType.INT);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Npy.write(tmp.resolve("i.npy"), ints));
        assertTrue(e.getMessage().contains("float32 or float64"), e.getMessage());
    }

    @Test
    void readsFromAByteArrayStream() throws IOException {
        byte[] bytes = Files.readAllBytes(fixture("f8_2d.npy"));
        assertSame(ramp(DType.FLOAT64, 3, 4), Npy.read(new ByteArrayInputStream(bytes), "bytes"));
    }

    /** Same dtype, same shape, same values bit for bit. */
    static void assertSame(INDArray expected, INDArray actual) {
        assertEquals(expected.dataType(), actual.dataType(), "dtype");
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        if (expected.length() > 0) {
            assertArrayEquals(
                    expected.dup('c').data().asDouble(), actual.dup('c').data().asDouble(), 0.0);
        }
    }
}
