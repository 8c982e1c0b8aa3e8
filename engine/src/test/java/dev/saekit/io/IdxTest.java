package dev.saekit.io;

import static dev.saekit.io.IoFixtures.resource;
import static dev.saekit.io.NpyFixtures.ramp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.saekit.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Reading the IDX fixtures (make_idx_fixtures.py) and, where Debian's dataset-fashion-mnist is installed, Fashion-MNIST. */
class IdxTest {
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void readsFloatsInEitherWidth() throws IOException {
        NpyTest.assertSame(ramp(DType.FLOAT32, 3, 4), Idx.read(resource("idx/f4_2d.idx")));
        NpyTest.assertSame(ramp(DType.FLOAT64, 2, 3, 4), Idx.read(resource("idx/f8_3d.idx")));
        NpyTest.assertSame(ramp(DType.FLOAT32, 0, 5), Idx.read(resource("idx/f4_empty.idx")));
        assertEquals(
                new IdxHeader(ElementType.FLOAT64, new long[] {2, 3, 4}, false), Idx.header(resource("idx/f8_3d.idx")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "u1_extremes.idx, float32, 0 1 2 127 254 255",
        "i1_extremes.idx, float32, -128 -127 -1 0 1 2 126 127",
        "i2_extremes.idx, float32, -32768 -32767 -1 0 1 2 32766 32767",
        "i4_extremes.idx, float64, -2147483648 -2147483647 -1 0 1 2 2147483646 2147483647",
    })
    void readsIntegersExactly(String file, String dtype, String values) throws IOException {
        INDArray a = Idx.read(resource("idx/" + file));
        assertEquals(DType.parse(dtype).nd4j(), a.dataType());
        assertArrayEquals(
                Stream.of(values.split(" ")).mapToDouble(Double::parseDouble).toArray(),
                a.castTo(DataType.DOUBLE).toDoubleVector(),
                0.0);
    }

    @Test
    void readsGzipCompressedFilesLikePlainOnes() throws IOException {
        INDArray plain = Idx.read(resource("idx/u1_images.idx"));
        assertArrayEquals(new long[] {2, 3, 4}, plain.shape());
        assertEquals(230.0, plain.getDouble(1, 2, 3), 0.0); // element 23: (23 * 10) % 256
        NpyTest.assertSame(plain, Idx.read(resource("idx/u1_images.idx.gz")));
        assertEquals(
                new IdxHeader(ElementType.UINT8, new long[] {2, 3, 4}, true),
                Idx.header(resource("idx/u1_images.idx.gz")));
    }

    /** Fashion-MNIST's test set has 1,000 images of each of its 10 classes, 28 x 28 grey levels 0..255. */
    @Test
    void readsFashionMnistWhenInstalled() throws IOException {
        Path labels = FASHION_MNIST.resolve("t10k-labels-idx1-ubyte.gz");
        Path images = FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz");
        assumeTrue(
                Files.isReadable(labels) && Files.isReadable(images),
                "apt-get install dataset-fashion-mnist to run this");

        INDArray y = Idx.read(labels);
        assertArrayEquals(new long[] {10_000}, y.shape());
        int[] perClass = new int[10];
        for (double v : y.castTo(DataType.DOUBLE).toDoubleVector()) {
            perClass[(int) v]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, perClass);

        DataMatrix x = DataFiles.read(images);
        assertEquals(DataFormat.IDX_GZIP, x.info().format());
        assertEquals(ElementType.UINT8, x.info().dtype());
        assertArrayEquals(new long[] {10_000, 28, 28}, x.info().shape());
        assertArrayEquals(new long[] {10_000, 784}, x.matrix().shape()); // one image per row
        assertEquals(0.0, x.matrix().minNumber().doubleValue(), 0.0);
        assertEquals(255.0, x.matrix().maxNumber().doubleValue(), 0.0);
    }
}
