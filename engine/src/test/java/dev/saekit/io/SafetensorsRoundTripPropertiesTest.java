package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.arbitraries.StringArbitrary;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Any set of float32, float64 and int64 tensors, with any metadata, round-trips through a file bit for bit. */
class SafetensorsRoundTripPropertiesTest {

    /** A tensor to write: its dtype, shape and raw 64-bit patterns (narrowed for float32). */
    record Spec(String name, DataType dtype, long[] shape, long[] bits) {
        INDArray array() {
            if (bits.length == 0) {
                return Nd4j.zeros(dtype, shape);
            }
            if (dtype == DataType.INT64) {
                return shape.length == 0
                        ? Nd4j.scalar(bits[0])
                        : Nd4j.createFromArray(bits).reshape(shape);
            }
            if (dtype == DataType.DOUBLE) {
                double[] v = new double[bits.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Double.longBitsToDouble(bits[i]);
                }
                return shape.length == 0
                        ? Nd4j.scalar(v[0])
                        : Nd4j.createFromArray(v).reshape(shape);
            }
            float[] v = new float[bits.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = Float.intBitsToFloat((int) bits[i]);
            }
            return shape.length == 0
                    ? Nd4j.scalar(v[0])
                    : Nd4j.createFromArray(v).reshape(shape);
        }
    }

    @Provide
    Arbitrary<List<Spec>> tensors() {
        Arbitrary<long[]> shapes = Arbitraries.integers()
                .between(0, 4)
                .list()
                .ofMaxSize(3)
                .map(dims -> dims.stream().mapToLong(Integer::longValue).toArray());
        Arbitrary<Spec> spec = Combinators.combine(
                        text().ofMinLength(1).ofMaxLength(12),
                        Arbitraries.of(DataType.FLOAT, DataType.DOUBLE, DataType.INT64),
                        shapes)
                .flatAs((name, dtype, shape) -> {
                    int n = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
                    return Arbitraries.longs()
                            .array(long[].class)
                            .ofSize(n)
                            .map(bits -> new Spec(name, dtype, shape, bits));
                });
        return spec.list()
                .ofMaxSize(5)
                .uniqueElements(Spec::name)
                .filter(l -> l.stream().noneMatch(s -> s.name().equals("__metadata__")));
    }

    @Provide
    Arbitrary<Map<String, String>> metadata() {
        return Arbitraries.maps(text().ofMaxLength(8), text().ofMaxLength(20)).ofMaxSize(4);
    }

    /** Unicode text (no lone surrogates, which UTF-8 cannot encode), control characters and quotes included. */
    private static StringArbitrary text() {
        return Arbitraries.strings().withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\ufffd');
    }

    @Property(tries = 60)
    void roundTripsBitForBit(@ForAll("tensors") List<Spec> specs, @ForAll("metadata") Map<String, String> metadata) {
        try {
            Path dir = Files.createTempDirectory("saekit-st");
            Path file = dir.resolve("t.safetensors");
            Map<String, INDArray> written = new LinkedHashMap<>();
            specs.forEach(s -> written.put(s.name(), s.array()));
            Safetensors.write(file, written, metadata);
            SafetensorsFile read = Safetensors.header(file);
            assertEquals(metadata, read.metadata());
            assertEquals(written.keySet(), read.tensors().keySet());
            for (Spec s : specs) {
                assertArrayEquals(s.shape(), read.entry(s.name()).shape(), s.name());
                long[] expected = s.bits();
                long[] actual;
                if (s.dtype() == DataType.INT64) {
                    actual = read.readLongs(s.name());
                } else {
                    INDArray a = read.read(s.name());
                    assertEquals(s.dtype(), a.dataType());
                    actual = new long[expected.length];
                    for (int i = 0; i < actual.length; i++) {
                        actual[i] = s.dtype() == DataType.DOUBLE
                                ? Double.doubleToRawLongBits(a.data().getDouble(i))
                                : Float.floatToRawIntBits(a.data().getFloat(i));
                        expected[i] = s.dtype() == DataType.DOUBLE ? expected[i] : (int) expected[i];
                    }
                }
                assertArrayEquals(expected, actual, s.name());
            }
            Files.delete(file);
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
