package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A seeded fuzz run shared by the readers' tests: valid files mutated (bits flipped, syntax bytes
 * planted, numbers overwritten with extremes, truncated, extended, bytes inserted or cut out), each
 * read once; every outcome must be a successful read or one {@link MalformedFileException} whose
 * message starts with the file's name. The number of rounds is {@code -Dsaekit.fuzz.rounds=N}
 * (default 1000); {@code -Dsaekit.fuzz.seed=S} replaces each test's own seed, to explore other
 * mutations. {@link #mutate} is also the mutator of the reliability harness
 * ({@code dev.saekit.io.hostile.ReaderHarness}), which runs every reader on each case.
 */
public final class Fuzzing {
    static final int DEFAULT_ROUNDS = 1000;

    private Fuzzing() {}

    /** Reads {@code file}; the result is not looked at. */
    interface Reader {
        void read(Path file) throws IOException;
    }

    /** How many mutations were read and how many refused. */
    record Outcome(int rounds, int read, int refused) {}

    static int rounds() {
        return Integer.getInteger("saekit.fuzz.rounds", DEFAULT_ROUNDS);
    }

    /**
     * {@link #rounds()} mutations of {@code seeds} (taken in turn) read by {@code reader}. Mutations
     * that flip or plant bytes favour the first {@code headerBytes} bytes, where the structure is;
     * {@code interesting} are the bytes planted there.
     */
    static Outcome run(Path file, long seed, byte[][] seeds, int headerBytes, byte[] interesting, Reader reader)
            throws IOException {
        seed = Long.getLong("saekit.fuzz.seed", seed);
        SplittableRandom random = new SplittableRandom(seed);
        int rounds = rounds();
        int read = 0;
        int refused = 0;
        for (int round = 0; round < rounds; round++) {
            byte[] bytes = mutate(seeds[round % seeds.length], random, headerBytes, interesting);
            Files.write(file, bytes);
            try {
                reader.read(file);
                read++;
            } catch (MalformedFileException e) {
                assertTrue(
                        e.getMessage().startsWith(file + ": ") || e.getMessage().startsWith(file + ", "),
                        "round " + round + ": the message does not start with the file's name: " + e.getMessage());
                refused++;
            } catch (IOException | RuntimeException | Error e) {
                fail("round " + round + " (seed " + seed + "): " + e + " for bytes " + preview(bytes), e);
            }
        }
        return new Outcome(rounds, read, refused);
    }

    /**
     * One seeded mutation of {@code seed}: structure bytes (the first {@code headerBytes}) flipped or
     * replaced by one of {@code interesting}, a 2-, 4- or 8-byte number set to an extreme, bits
     * flipped anywhere, a truncation, random bytes appended or inserted, bytes cut out.
     */
    public static byte[] mutate(byte[] seed, SplittableRandom random, int headerBytes, byte[] interesting) {
        byte[] b = seed.clone();
        int header = Math.max(1, Math.min(b.length, headerBytes));
        if (b.length == 0) {
            return new byte[] {interesting[random.nextInt(interesting.length)]};
        }
        switch (random.nextInt(8)) {
            case 0: // bits flipped in the structure
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    b[random.nextInt(header)] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            case 1: // a syntax byte planted in the structure
                b[random.nextInt(header)] = interesting[random.nextInt(interesting.length)];
                return b;
            case 2: { // a 2-, 4- or 8-byte number overwritten with an extreme, either byte order
                int width = 2 << random.nextInt(3);
                if (b.length < width) {
                    return b;
                }
                long[] extremes = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, 1L << 32, 100_000_001};
                ByteBuffer v = ByteBuffer.allocate(8)
                        .order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                        .putLong(0, extremes[random.nextInt(extremes.length)]);
                System.arraycopy(
                        v.array(), 0, b, random.nextInt(Math.max(1, Math.min(header, b.length - width + 1))), width);
                return b;
            }
            case 3: // bits flipped anywhere, data included
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            case 4:
                return Arrays.copyOf(b, random.nextInt(b.length));
            case 5: {
                byte[] longer = Arrays.copyOf(b, b.length + 1 + random.nextInt(16));
                for (int i = b.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                return longer;
            }
            case 6: { // bytes inserted in the structure
                int at = random.nextInt(header + 1);
                int n = 1 + random.nextInt(8);
                byte[] longer = new byte[b.length + n];
                System.arraycopy(b, 0, longer, 0, at);
                for (int i = 0; i < n; i++) {
                    longer[at + i] = interesting[random.nextInt(interesting.length)];
                }
                System.arraycopy(b, at, longer, at + n, b.length - at);
                return longer;
            }
            default: // bytes cut out of the middle
                int from = random.nextInt(b.length);
                int to = Math.min(b.length, from + 1 + random.nextInt(8));
                byte[] cut = new byte[b.length - (to - from)];
                System.arraycopy(b, 0, cut, 0, from);
                System.arraycopy(b, to, cut, from, b.length - to);
                return cut;
        }
    }

    private static String preview(byte[] bytes) {
        return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 256)) + (bytes.length > 256 ? "..." : "")
                + " (" + bytes.length + " bytes)";
    }
}
