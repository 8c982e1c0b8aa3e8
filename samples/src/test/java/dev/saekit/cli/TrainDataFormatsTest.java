package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.saekit.io.hostile.DataBytes;
import dev.saekit.io.hostile.ZipBuilder;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code saekit train --data} reads every format {@code data-info} reads, one file in memory or
 * shards of any of them streamed, flattens every array by the same rule, checks values as stored
 * and sizes before allocating, and refuses paths that are not regular files; each failure is one
 * line and a non-zero exit.
 */
class TrainDataFormatsTest {
    @TempDir
    Path tmp;

    /** A short run on {@code data} with {@code more} options. */
    private static CliRun train(Path data, String... more) {
        List<String> args = new ArrayList<>(
                List.of("train", "--data", data.toString(), "--concepts", "8", "--epochs", "1", "--no-progress"));
        args.addAll(Arrays.asList(more));
        if (!args.contains("--batch-size")) {
            args.addAll(List.of("--batch-size", "16"));
        }
        return CliRun.of(args.toArray(String[]::new));
    }

    private static void oneLineError(CliRun run, int exitCode, String... expected) {
        assertEquals(exitCode, run.exitCode(), run.out() + run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("saekit: error: "), run.err());
        for (String e : expected) {
            assertTrue(run.err().contains(e), "expected '" + e + "' in: " + run.err());
        }
        assertFalse(run.err().contains("Exception") || run.err().contains("\tat "), run.err());
    }

    private static String dataLine(CliRun run) {
        return run.out().lines().filter(l -> l.startsWith("data ")).findFirst().orElse("(no data line)\n" + run.out());
    }

    /** uint8 images [n, 6, 6] with pseudo-random pixels. */
    private static byte[] images(int n, long seed) {
        byte[] pixels = new byte[n * 36];
        new SplittableRandom(seed).nextBytes(pixels);
        return DataBytes.idx(0x08, new long[] {n, 6, 6}, pixels);
    }

    private static float[] normal(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void anIdxGzFileTrainsAsRowsOfItsImagesLikeDataInfoReadsIt() throws IOException {
        Path mnist = Files.write(tmp.resolve("train-images-idx3-ubyte.gz"), DataBytes.gzip(images(40, 1)));
        CliRun run = train(mnist);
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(
                "data      " + mnist
                        + ": flattened [40, 6, 6] to 40 rows x 36, uint8 read as float32, centred (mean row"
                        + " subtracted)",
                dataLine(run));
        Path plain = Files.write(tmp.resolve("train-images-idx3-ubyte"), images(40, 1));
        assertEquals(0, train(plain).exitCode());
    }

    @Test
    void npzAndSafetensorsArraysAreChosenWithName() throws IOException {
        ZipBuilder zip = new ZipBuilder();
        zip.add("acts.npy", DataBytes.npyF4(new long[] {30, 5}, normal(150, 2)), true);
        zip.add("labels.npy", DataBytes.npyF4(new long[] {30}, normal(30, 3)), false);
        Path npz = Files.write(tmp.resolve("acts.npz"), zip.build());
        oneLineError(
                train(npz),
                SaekitCli.EXIT_USAGE,
                npz + " holds 2 arrays; choose one by name: acts float32 [30, 5], labels"
                        + " float32 [30] (use --name NAME)");
        CliRun run = train(npz, "--name", "acts");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(
                dataLine(run).startsWith("data      " + npz + ", member 'acts.npy': [30, 5] as 30 rows x 5, float32"),
                run.out());
        oneLineError(train(npz, "--name", "act"), SaekitCli.EXIT_USAGE, "no array 'act' in " + npz);

        Path st = Files.write(
                tmp.resolve("acts.safetensors"),
                DataBytes.safetensors(
                        "{\"acts\":{\"dtype\":\"F32\",\"shape\":[30,5],\"data_offsets\":[0,600]}}",
                        DataBytes.floats(java.nio.ByteOrder.LITTLE_ENDIAN, normal(150, 4))));
        assertEquals(0, train(st).exitCode());
        oneLineError(
                train(
                        Files.write(tmp.resolve("x.npy"), DataBytes.npyF4(new long[] {4, 2}, normal(8, 5))),
                        "--name",
                        "x"),
                SaekitCli.EXIT_USAGE,
                "is an npy file with one unnamed array");
    }

    @Test
    void theFirstAxisIndexesRowsAndRowAxesSaysHowManyDo() throws IOException {
        Path images = Files.write(tmp.resolve("images.npy"), DataBytes.npyF4(new long[] {20, 4, 4}, normal(320, 6)));
        CliRun samples = train(images);
        assertEquals(0, samples.exitCode(), samples.err());
        assertTrue(dataLine(samples).contains(": flattened [20, 4, 4] to 20 rows x 16, float32"), samples.out());
        CliRun tokens = train(images, "--row-axes", "2");
        assertEquals(0, tokens.exitCode(), tokens.err());
        assertTrue(dataLine(tokens).contains(": flattened [20, 4, 4] to 80 rows x 4, float32"), tokens.out());
        oneLineError(
                train(images, "--row-axes", "4"),
                SaekitCli.EXIT_USAGE,
                images + " holds shape [20, 4, 4] (3 axes); row axes 4" + " needs an array of at least 4 axes");
        oneLineError(train(images, "--row-axes", "0"), SaekitCli.EXIT_USAGE, "--row-axes must be >= 1, was 0");
    }

    @Test
    void shardsOfAnyFormatAreStreamedCompressedOnesThroughAScratchFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("shards"));
        for (int i = 0; i < 2; i++) {
            ZipBuilder zip = new ZipBuilder();
            zip.add("x.npy", DataBytes.npyF4(new long[] {25, 6, 6}, normal(900, 10 + i)), i == 0);
            Files.write(dir.resolve("part-" + i + ".npz"), zip.build());
        }
        Files.write(dir.resolve("part-2.idx.gz"), DataBytes.gzip(images(20, 7)));
        CliRun run = train(dir, "--buffer-rows", "16");
        assertEquals(0, run.exitCode(), run.err());
        String line = dataLine(run);
        assertTrue(
                line.startsWith(
                        "data      " + dir + " (3 shards: 2 .npz, 1 IDX .gz): 3 shards of shape [*, 6, 6], flattened to"
                                + " 70 rows x 36 in all, float32 and uint8 read as float32, centred (mean row subtracted), streamed through a"
                                + " shuffle buffer of 16 rows"),
                line);
        // 25 x 36 float32 from the deflated member, 20 x 36 uint8 from the gzip file
        assertTrue(
                line.endsWith("2 compressed shards decompressed once into a scratch file in "
                        + System.getProperty("java.io.tmpdir") + " (4.2 KiB, released when the run ends)"),
                line);
        assertTrue(run.out().contains("metrics over all 70 rows"), run.out());
        CliRun glob = train(Path.of(dir + "/*.npz"), "--row-axes", "2");
        assertEquals(0, glob.exitCode(), glob.err());
        assertTrue(dataLine(glob).contains("flattened to 300 rows x 6 in all (2 row axes)"), glob.out());
    }

    @Test
    void aFloat64BeyondFloat32IsNamedAsStoredWithOrWithoutCentring() throws IOException {
        double[] v = new double[50 * 13];
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        v[37 * 13 + 5] = 1e39;
        Path big = Files.write(tmp.resolve("big.npy"), DataBytes.npyF8(new long[] {50, 13}, v));
        String expected = big + " has 1.0E39 at row 37, column 5, beyond the range of float32";
        oneLineError(train(big), SaekitCli.EXIT_INPUT, expected);
        oneLineError(train(big, "--no-center"), SaekitCli.EXIT_INPUT, expected);
        Path dir = Files.createDirectories(tmp.resolve("big-shards"));
        Files.copy(big, dir.resolve("big.npy"));
        oneLineError(
                train(dir, "--no-center"),
                SaekitCli.EXIT_INPUT,
                dir.resolve("big.npy") + " has 1.0E39 at row 37, column 5");
        assertEquals(0, train(big, "--dtype", "float64").exitCode(), "float64 holds it");
    }

    @Test
    @Timeout(60)
    void aFifoIsRefusedAtOnceInsteadOfBlockingForever() throws Exception {
        Path fifo = tmp.resolve("x.npy");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(p.waitFor() == 0);
        oneLineError(train(fifo), SaekitCli.EXIT_INPUT, fifo + ": is a FIFO (named pipe), not a regular file");
    }

    /** A float32 .npy of {@code shape} whose data is a hole in the file: no disk space, no time to write. */
    private Path sparse(Path f, long... shape) throws IOException {
        byte[] header = DataBytes.npy(1, DataBytes.dict("<f4", false, shape), new byte[0]);
        Files.write(f, header);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(header.length + 4 * n);
        }
        return f;
    }

    @Test
    void aFileLargerThanTheMemoryTheProcessMayUseIsRefusedBeforeItIsLoaded() throws IOException {
        Path big = sparse(tmp.resolve("big.npy"), 1000, 1000); // 3.8 MiB of float32
        String was = System.getProperty(dev.saekit.tensor.MemoryBudget.LIMIT_PROPERTY);
        System.setProperty(dev.saekit.tensor.MemoryBudget.LIMIT_PROPERTY, "1m");
        try {
            oneLineError(
                    train(big),
                    SaekitCli.EXIT_MEMORY,
                    big + ": 1000 x 1000 float32 = 4 MiB is more than the memory this process"
                            + " may use, 1 MiB (-Dsaekit.memory.limit=1m); stream it instead: give --data its directory or a glob that"
                            + " matches it");
        } finally {
            if (was == null) {
                System.clearProperty(dev.saekit.tensor.MemoryBudget.LIMIT_PROPERTY);
            } else {
                System.setProperty(dev.saekit.tensor.MemoryBudget.LIMIT_PROPERTY, was);
            }
        }
    }

    @Test
    void dataTooLargeForMemoryOrABatchIsOneLineBeforeAnythingIsAllocated() throws IOException {
        Path wide = sparse(tmp.resolve("wide.npy"), 100, 25_000_000);
        oneLineError(
                train(wide),
                SaekitCli.EXIT_MEMORY,
                wide + ": 100 x 25000000 float32 = 9.31 GiB (2500000000 values) is more than"
                        + " one in-memory array holds (2147483639 values); stream it from disk instead");
        Path dir = Files.createDirectories(tmp.resolve("wide-shards"));
        sparse(dir.resolve("a.npy"), 300, 10_000_000);
        oneLineError(
                train(dir, "--batch-size", "256"),
                SaekitCli.EXIT_MEMORY,
                "a batch of 256 rows of width 10000000",
                "use --batch-size 214 or less, or read it with more --row-axes");
        oneLineError(
                train(dir, "--batch-size", "8"),
                SaekitCli.EXIT_MEMORY,
                "a shuffle buffer of 300 rows of width 10000000",
                "use --buffer-rows 214 or less");
    }
}
