package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.hostile.DataBytes;
import dev.saekit.tensor.DType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sizes are checked before anything large is allocated: an array of 2 GiB or more, or rows wider
 * than a batch row can be, is one clear refusal instead of an integer overflow; a header that
 * declares a huge shape in a small file is refused from the file's length. The large files here
 * are sparse: they take no disk space.
 */
@Timeout(60)
class SizeLimitsTest {
    @TempDir
    Path tmp;

    /** A float32 .npy of {@code shape} whose data is a hole in the file (zeros, no disk space). */
    private Path sparse(String name, long... shape) throws IOException {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        byte[] header = DataBytes.npy(1, DataBytes.dict("<f4", false, shape), new byte[0]);
        Path f = tmp.resolve(name);
        Files.write(f, header);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(header.length + 4 * n);
        }
        return f;
    }

    @Test
    void anArrayLargerThanOneInMemoryArrayIsRefusedBeforeAllocating() throws IOException {
        Path f = sparse("wide.npy", 100, 25_000_000); // 2.5e9 values, 9.3 GiB
        DataTooLargeException e = assertThrows(DataTooLargeException.class, () -> DataFiles.read(f));
        assertEquals(
                f + ": 100 x 25000000 float32 = 9.31 GiB (2500000000 values) is more than one in-memory array holds"
                        + " (2147483639 values); stream it from disk instead, as shards (a directory or a glob), through a shuffle buffer"
                        + " of bounded size",
                e.getMessage());
        assertEquals(100, e.rows());
        assertThrows(
                DataTooLargeException.class,
                () -> DataLocation.open(f.toString(), null, 1).load(DType.FLOAT32));
        // the headers alone are fine, and so is streaming it with a buffer that fits
        assertEquals(25_000_000, DataFiles.info(f, null).cols());
        DataTooLargeException buffer = assertThrows(
                DataTooLargeException.class,
                () -> ShardedDataset.builder(f.toString()).bufferRows(100).build());
        assertTrue(
                buffer.getMessage().startsWith("bufferRows=100 rows of width 25000000 are 2500000000 values"),
                buffer.getMessage());
        try (ShardedDataset streamed =
                ShardedDataset.builder(f.toString()).bufferRows(8).chunkRows(4).build()) {
            assertEquals(100, streamed.rows());
        }
    }

    @Test
    void rowsWiderThanABatchRowAreRefusedWithTheRowAxesToUse() throws IOException {
        Path f = sparse("huge-row.npy", 2, 1 << 16, 1 << 15); // rows of 2^31 values
        DataTooLargeException e = assertThrows(
                DataTooLargeException.class,
                () -> ShardedDataset.builder(f.toString()).build());
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "shard " + f + " has rows of width 2147483648 (flattened [2, 65536, 32768] to 2 rows"
                                        + " x 2147483648), more than the 2147483639 values one batch row can hold; read it with more row axes"),
                e.getMessage());
        try (ShardedDataset narrower = ShardedDataset.builder(f.toString())
                .rowAxes(2)
                .bufferRows(16)
                .chunkRows(4)
                .build()) {
            assertEquals(1 << 17, narrower.rows());
            assertEquals(1 << 15, narrower.cols());
        }
    }

    @Test
    void aHugeDeclaredShapeInASmallFileIsRefusedFromTheFilesLength() throws IOException {
        Path npy = tmp.resolve("lie.npy");
        Files.write(npy, DataBytes.npy(1, DataBytes.dict("<f8", false, 1L << 30, 1L << 20), new byte[16]));
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> DataFiles.read(npy));
        assertTrue(e.getMessage().contains("but the file has 16 bytes after the header"), e.getMessage());
        Path st = tmp.resolve("lie.safetensors");
        Files.write(
                st,
                DataBytes.safetensors(
                        "{\"x\":{\"dtype\":\"F32\",\"shape\":[1000000000,1000],\"data_offsets\":[0,"
                                + "4000000000000]}}",
                        new byte[8]));
        assertThrows(MalformedFileException.class, () -> DataLocation.open(st.toString(), null, 1));
        Path gz = tmp.resolve("lie.idx.gz");
        Files.write(gz, DataBytes.gzip(DataBytes.idx(0x0D, new long[] {1 << 20, 1 << 20}, new byte[8])));
        e = assertThrows(
                MalformedFileException.class,
                () -> DataLocation.open(gz.toString(), null, 1).statistics());
        assertTrue(e.getMessage().contains("more than a gzip file of"), e.getMessage());
    }
}
