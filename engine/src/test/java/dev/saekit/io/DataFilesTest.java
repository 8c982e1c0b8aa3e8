package dev.saekit.io;

import static dev.saekit.io.IoFixtures.resource;
import static dev.saekit.io.NpyFixtures.fixture;
import static dev.saekit.io.NpyFixtures.ramp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Finding a file's format from its bytes, choosing its array and making it a matrix. */
class DataFilesTest {
    @TempDir
    Path tmp;

    /** A copy of the fixture {@code resource} under another name. */
    private Path copy(String resource, String name) throws IOException {
        return Files.copy(resource(resource), tmp.resolve(name));
    }

    @ParameterizedTest(name = "{0} named {1}")
    @CsvSource({
        "npy/f4_2d.npy, data.bin, NPY", "npy/f4_2d.npy, data.safetensors, NPY",
        "golden-io/numpy/pair.npz, pair.npy, NPZ", "golden-io/safetensors/f32.safetensors, weights.npy, SAFETENSORS",
        "idx/f8_3d.idx, f8_3d.npz, IDX", "idx/u1_images.idx.gz, images, IDX_GZIP",
        "golden-io/safetensors/f32.safetensors, noextension, SAFETENSORS",
    })
    void theFormatComesFromTheBytesNotTheName(String resource, String name, DataFormat expected) throws IOException {
        assertEquals(expected, DataFiles.detect(copy(resource, name)));
    }

    @Test
    void aBrokenFileIsExplainedByTheReaderItsNameSuggests() throws IOException {
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello, world");
        MalformedFileException unknown = assertThrows(MalformedFileException.class, () -> DataFiles.read(text));
        assertEquals(
                text + ": not a data file saekit reads: it starts with 68 65 6C 6C 6F 2C 20 77; accepted: .npy, .npz,"
                        + " .safetensors and IDX files (plain or .gz)",
                unknown.getMessage());

        Path st = tmp.resolve("model.safetensors");
        Files.write(st, new byte[] {(byte) 0xFF, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        MalformedFileException broken = assertThrows(MalformedFileException.class, () -> DataFiles.read(st));
        assertTrue(
                broken.getMessage()
                        .contains("the header length field at byte 0 says 255 bytes but the file ends 2 bytes"),
                broken.getMessage());

        Path empty = Files.createFile(tmp.resolve("empty.npy"));
        assertEquals(
                empty + ": the file is empty",
                assertThrows(MalformedFileException.class, () -> DataFiles.read(empty))
                        .getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // fixture, stored shape, matrix shape
        "npy/f4_2d.npy, 3 4, 3 4",
        "npy/f4_3d.npy, 2 3 4, 2 12",
        "npy/f8_1d.npy, 7, 7 1",
        "npy/f8_scalar.npy, '', 1 1",
        "npy/f4_empty.npy, 0 5, 0 5",
        "idx/u1_images.idx, 2 3 4, 2 12",
        "idx/u1_extremes.idx, 6, 6 1",
    })
    void arraysBecomeMatricesWithTheFirstAxisAsRows(String fixture, String stored, String matrix) throws IOException {
        DataMatrix m = DataFiles.read(resource(fixture));
        assertArrayEquals(NpyFixtures.shape(stored), m.info().shape());
        assertArrayEquals(NpyFixtures.shape(matrix), m.matrix().shape());
        assertEquals(m.info().rows(), m.matrix().rows());
        assertEquals(m.info().cols(), m.matrix().columns());
        assertEquals(m.info(), DataFiles.info(resource(fixture), null));
    }

    @Test
    void flatteningKeepsTheValuesInCOrder() throws IOException {
        DataMatrix m = DataFiles.read(fixture("f4_3d.npy"));
        NpyTest.assertSame(ramp(DType.FLOAT32, 2, 12), m.matrix());
        assertEquals(
                new DataFileInfo(fixture("f4_3d.npy"), DataFormat.NPY, null, ElementType.FLOAT32, new long[] {2, 3, 4}),
                m.info());
        assertEquals("flattened [2, 3, 4] to 2 rows x 12", m.info().layout().describe());
    }

    @ParameterizedTest(name = "{0} with {1} row axes")
    @CsvSource({
        // fixture, row axes, matrix shape
        "npy/f4_3d.npy, 1, 2 12", "npy/f4_3d.npy, 2, 6 4", "npy/f4_3d.npy, 3, 24 1",
        "npy/f4_2d.npy, 2, 12 1", "idx/u1_images.idx, 2, 6 4", "idx/u1_images.idx.gz, 1, 2 12",
    })
    void rowAxesChooseHowManyLeadingAxesIndexRowsInEveryFormat(String fixture, int rowAxes, String matrix)
            throws IOException {
        DataMatrix m = DataFiles.read(resource(fixture), null, rowAxes);
        assertArrayEquals(NpyFixtures.shape(matrix), m.matrix().shape());
        assertEquals(rowAxes, m.info().rowAxes());
        // the same values in the same order whatever the layout: only the matrix's shape changes
        assertArrayEquals(
                DataFiles.read(resource(fixture)).matrix().data().asDouble(),
                m.matrix().data().asDouble(),
                0.0);
    }

    @Test
    void moreRowAxesThanTheArrayHasAreRefusedNamingTheFile() {
        ArraySelectionException e =
                assertThrows(ArraySelectionException.class, () -> DataFiles.read(fixture("f8_1d.npy"), null, 2));
        assertEquals(
                fixture("f8_1d.npy") + " holds shape [7] (1 axis); row axes 2 needs an array of at least 2 axes",
                e.getMessage());
    }

    @Test
    void aFileWithSeveralArraysNeedsANameAndListsThem() throws IOException {
        Path multi = resource("golden-io/safetensors/multi.safetensors");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> DataFiles.read(multi));
        assertEquals(
                multi
                        + " holds 8 tensors; choose one by name: big_ints int64 [6], labels int64 [37], weight float64 [13, 7],"
                        + " acts float32 [37, 5, 13], empty float32 [0, 13], scalar float32 [], emb_bf16 bfloat16 [5, 13], bias_f16 float16 [13]",
                none.getMessage());
        IllegalArgumentException unknown =
                assertThrows(IllegalArgumentException.class, () -> DataFiles.read(multi, "act"));
        assertTrue(
                unknown.getMessage()
                        .startsWith("no tensor 'act' in " + multi + "; it holds 8 tensors: big_ints int64 [6]"),
                unknown.getMessage());

        DataMatrix acts = DataFiles.read(multi, "acts");
        assertEquals(
                new DataFileInfo(multi, DataFormat.SAFETENSORS, "acts", ElementType.FLOAT32, new long[] {37, 5, 13}),
                acts.info());
        INDArray raw = Safetensors.read(multi).get("acts");
        NpyTest.assertSame(raw.reshape('c', 37, 65), acts.matrix());
        NpyTest.assertSame(
                raw.reshape('c', 185, 13), DataFiles.read(multi, "acts", 2).matrix());

        DataMatrix labels = DataFiles.read(resource("golden-io/numpy/pair_compressed.npz"), "labels");
        assertEquals(ElementType.INT64, labels.info().dtype());
        assertArrayEquals(new long[] {37, 1}, labels.matrix().shape());
    }

    @Test
    void aFileWithOneArrayNeedsNoName() throws IOException {
        DataMatrix x = DataFiles.read(resource("golden-io/safetensors/bf16.safetensors"));
        assertEquals("x", x.info().name());
        assertEquals(ElementType.BFLOAT16, x.info().dtype());
        assertEquals(DType.FLOAT32.nd4j(), x.matrix().dataType());

        Path npz = tmp.resolve("one.npz");
        Files.write(npz, NpzTest.zip(new NpzTest.Member("only.npy", Files.readAllBytes(fixture("f8_2d.npy")), true)));
        assertEquals("only", DataFiles.read(npz).info().name());
        assertNull(DataFiles.read(fixture("f8_2d.npy")).info().name());
    }

    @Test
    void aNameForASingleArrayFormatIsAMistake() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DataFiles.read(fixture("f8_2d.npy"), "x"));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "is an npy file with one unnamed array; a name ('x') only chooses among the arrays of an"
                                        + " .npz or safetensors file"),
                e.getMessage());
    }

    @Test
    void integerTensorsReadAsTheFloatsThatHoldThem() throws IOException {
        Path f = tmp.resolve("ints.safetensors");
        Safetensors.write(f, Map.of("ids", org.nd4j.linalg.factory.Nd4j.createFromArray(3L, 1L, 4L)), null);
        DataMatrix m = DataFiles.read(f);
        assertEquals(ElementType.INT64, m.info().dtype());
        assertEquals(DType.FLOAT64.nd4j(), m.matrix().dataType());
        assertArrayEquals(new double[] {3, 1, 4}, m.matrix().toDoubleVector(), 0.0);
    }
}
