package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.io.hostile.DataBytes;
import dev.saekit.io.hostile.ZipBuilder;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statistics of an honest zip bomb (a 1 MiB .npz whose deflated member expands to 1 GiB of
 * float32) are computed in a child JVM whose heap is 64 MiB: the member is inflated and summed a
 * block at a time, never held whole (reading it whole took 8.4 GB of memory for a larger bomb).
 */
class StreamingMemoryTest {

    /** Prints the statistics of the location {@code args[0]}; run with a small heap. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            ValueStats s = DataLocation.open(args[0], null, 1).statistics();
            System.out.println(s.count() + " " + s.mean() + " " + s.max());
        }
    }

    /** An .npz holding float32 [n] of zeros but for its last value, 1, deflated as it is made (nothing large in memory). */
    static void bomb(Path file, long n) throws Exception {
        byte[] header = DataBytes.npy(1, DataBytes.dict("<f4", false, n), new byte[0]);
        CRC32 crc = new CRC32();
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] out = new byte[1 << 16];
        byte[] zeros = new byte[1 << 20];
        List<byte[]> pieces = new ArrayList<>(List.of(header));
        long data = 4 * n;
        for (long left = data - 4; left > 0; left -= Math.min(left, zeros.length)) {
            pieces.add(left >= zeros.length ? zeros : new byte[(int) left]);
        }
        pieces.add(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(1f)
                .array());
        for (byte[] p : pieces) {
            crc.update(p);
            d.setInput(p);
            while (!d.needsInput()) {
                compressed.write(out, 0, d.deflate(out));
            }
        }
        d.finish();
        while (!d.finished()) {
            compressed.write(out, 0, d.deflate(out));
        }
        d.end();
        ZipBuilder zip = new ZipBuilder();
        ZipBuilder.Entry e = zip.add("x.npy", new byte[0], true);
        e.stored = compressed.toByteArray();
        e.crc = crc.getValue();
        e.size = header.length + data;
        try (OutputStream o = Files.newOutputStream(file)) {
            o.write(zip.build());
        }
    }

    @Test
    @Timeout(300)
    void theStatisticsOfAZipBombStreamInA64MiBHeap(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("bomb.npz");
        long n = 1L << 28; // 1 GiB of float32
        bomb(f, n);
        assertTrue(Files.size(f) < 2 << 20, "a small archive: " + Files.size(f));
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx64m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        Child.class.getName(),
                        f.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes()).strip();
        assertTrue(child.waitFor(240, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), output);
        String[] fields = output.lines().reduce((a, b) -> b).orElse("").split(" ");
        assertEquals(n, Long.parseLong(fields[0]), output);
        assertEquals(1.0 / n, Double.parseDouble(fields[1]), 1e-20, output);
        assertEquals(1.0, Double.parseDouble(fields[2]), 0.0, output);
    }
}
