package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.saekit.io.hostile.DataBytes;
import dev.saekit.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Values are checked as the file stores them, against the dtype they are read into, before any
 * transformation: the message names the stored value and its place, the same whether the data is
 * loaded, streamed or scanned for its mean.
 */
class ValueChecksTest {
    @TempDir
    Path tmp;

    /** float64 [50, 13] of 0.5 with {@code value} at row 37, column 5. */
    private Path withValueAt37And5(String name, double value) throws IOException {
        double[] v = new double[50 * 13];
        java.util.Arrays.fill(v, 0.5);
        v[37 * 13 + 5] = value;
        Path f = tmp.resolve(name);
        Files.write(f, DataBytes.npyF8(new long[] {50, 13}, v));
        return f;
    }

    private static void sameFailureEverywhere(
            Path f, DType target, Class<? extends DataValueException> type, String message) {
        List<Executable> readings = List.of(
                () -> DataFiles.load(f, null, 1, target),
                () -> DataLocation.open(f.toString(), null, 1).load(target),
                () -> DataLocation.open(f.toString(), null, 1).meanRow(target),
                () -> DataLocation.open(f.toString(), null, 1).forEachRowBlock(target, 7, (row, rows) -> {}),
                () -> ShardedDataset.builder(f.toString())
                        .dtype(target)
                        .build()
                        .batchesInOrder(16)
                        .forEach(b -> {}),
                () -> ShardedDataset.builder(f.toString()).dtype(target).build().meanRow(),
                () -> ShardedDataset.builder(f.toString())
                        .dtype(target)
                        .bufferRows(8)
                        .build()
                        .batches(4, 1, 0)
                        .forEach(b -> {}));
        for (Executable r : readings) {
            DataValueException e = assertThrows(type, r);
            assertEquals(message, e.getMessage());
            assertEquals(37, e.row());
            assertEquals(5, e.column());
            assertEquals(f, e.file());
        }
    }

    @Test
    void aFloat64BeyondFloat32IsNamedAsStoredBeforeCentringCanSpreadIt() throws IOException {
        Path f = withValueAt37And5("big.npy", 1e39);
        sameFailureEverywhere(
                f,
                DType.FLOAT32,
                ValueOutOfRangeException.class,
                f + " has 1.0E39 at row 37, column 5, beyond the"
                        + " range of float32 (largest magnitude 3.4028235E38); rescale the data, or read it as float64");
        // float64 holds it: nothing to refuse
        INDArray m = DataFiles.load(f, null, 1, DType.FLOAT64).matrix();
        assertEquals(1e39, m.getDouble(37, 5), 0.0);
        // the largest float32 itself, and what rounds to it, are fine
        Path edge = withValueAt37And5("edge.npy", -(double) Float.MAX_VALUE);
        assertEquals(
                -Float.MAX_VALUE,
                DataFiles.load(edge, null, 1, DType.FLOAT32).matrix().getFloat(37, 5),
                0.0f);
    }

    @Test
    void nanAndInfinitiesAreNamedTheSameWayOnEveryPath() throws IOException {
        Path nan = withValueAt37And5("nan.npy", Double.NaN);
        sameFailureEverywhere(
                nan,
                DType.FLOAT32,
                NonFiniteValueException.class,
                nan + " has NaN at row 37, column 5; remove or" + " impute such rows before training");
        Path inf = withValueAt37And5("inf.npy", Double.NEGATIVE_INFINITY);
        sameFailureEverywhere(
                inf,
                DType.FLOAT64,
                NonFiniteValueException.class,
                inf + " has -Infinity at row 37, column 5; remove" + " or impute such rows before training");
    }

    @Test
    void aValueOfAFlattenedArrayIsAlsoNamedByItsStoredIndex() throws IOException {
        float[] v = DataBytes.ramp(2 * 3 * 4);
        v[(1 * 3 + 2) * 4 + 1] = Float.POSITIVE_INFINITY; // [1, 2, 1]
        Path f = tmp.resolve("acts.npz");
        dev.saekit.io.hostile.ZipBuilder zip = new dev.saekit.io.hostile.ZipBuilder();
        zip.add("acts.npy", DataBytes.npyF4(new long[] {2, 3, 4}, v), true);
        Files.write(f, zip.build());
        DataValueException e =
                assertThrows(NonFiniteValueException.class, () -> DataFiles.load(f, null, 1, DType.FLOAT32));
        assertEquals(
                f
                        + ", member 'acts.npy' has Infinity at row 1, column 9 (index [1, 2, 1] of shape [2, 3, 4]); remove or impute"
                        + " such rows before training",
                e.getMessage());
        e = assertThrows(
                NonFiniteValueException.class,
                () -> ShardedDataset.builder(f.toString())
                        .rowAxes(2)
                        .build()
                        .batchesInOrder(8)
                        .forEach(b -> {}));
        assertEquals(
                f
                        + ", member 'acts.npy' has Infinity at row 5, column 1 (index [1, 2, 1] of shape [2, 3, 4]); remove or impute"
                        + " such rows before training",
                e.getMessage());
    }

    @Test
    void aFortranOrderValueIsNamedByItsPlaceInTheMatrix() throws IOException {
        // [2, 3] stored column by column: storage order is (0,0) (1,0) (0,1) (1,1) (0,2) (1,2)
        float[] stored = {1, 4, 2, 5, Float.NaN, 6};
        Path f = tmp.resolve("fortran.npy");
        Files.write(
                f,
                DataBytes.npy(1, DataBytes.dict("<f4", true, 2, 3), DataBytes.floats(ByteOrder.LITTLE_ENDIAN, stored)));
        DataValueException e =
                assertThrows(NonFiniteValueException.class, () -> DataFiles.load(f, null, 1, DType.FLOAT32));
        assertEquals(0, e.row());
        assertEquals(2, e.column());
        stored[4] = 3;
        Files.write(
                f,
                DataBytes.npy(1, DataBytes.dict("<f4", true, 2, 3), DataBytes.floats(ByteOrder.LITTLE_ENDIAN, stored)));
        assertArrayEquals(
                new double[][] {{1, 2, 3}, {4, 5, 6}},
                DataFiles.load(f, null, 1, DType.FLOAT64).matrix().toDoubleMatrix());
        assertArrayEquals(
                new double[] {2.5, 3.5, 4.5},
                DataLocation.open(f.toString(), null, 1).meanRow(DType.FLOAT64).toDoubleVector(),
                0.0);
    }

    @Test
    void integersNeedNoCheckAndRoundToTheNearestValueOfTheDtype() throws IOException {
        long big = (1L << 53) + 1; // not a double
        ByteBuffer b = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(big)
                .putLong(Long.MIN_VALUE);
        Path f = tmp.resolve("ids.npy");
        Files.write(f, DataBytes.npy(1, DataBytes.dict("<i8", false, 2), b.array()));
        INDArray m = DataFiles.load(f, null, 1, DType.FLOAT64).matrix();
        assertEquals((double) (1L << 53), m.getDouble(0, 0), 0.0, "2^53 + 1 rounds to the nearest double, 2^53");
        assertEquals(-0x1p63, m.getDouble(1, 0), 0.0);
        assertEquals(
                (float) big, DataFiles.load(f, null, 1, DType.FLOAT32).matrix().getFloat(0, 0), 0.0f);
    }
}
