package dev.saekit.io.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The hostile files being written into one directory, and the cases that describe them. */
public final class Corpus {
    private final Path dir;
    private final SplittableRandom random;
    private final List<Case> cases = new ArrayList<>();

    Corpus(Path dir, long seed) {
        this.dir = dir;
        this.random = new SplittableRandom(seed);
    }

    /** The corpus directory. */
    Path dir() {
        return dir;
    }

    /** The seeded source of every random byte and value of the corpus. */
    SplittableRandom random() {
        return random;
    }

    /** Writes {@code bytes} to {@code path} (relative) and records the case. */
    Path file(String path, String category, Case.Expect expect, byte[] bytes) {
        return file(path, category, expect, null, 1, bytes);
    }

    /** The same, read with {@code --name name} and {@code --row-axes rowAxes}. */
    Path file(String path, String category, Case.Expect expect, String name, int rowAxes, byte[] bytes) {
        Path f = dir.resolve(path);
        try {
            Files.createDirectories(f.getParent());
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return add(path, category, expect, name, rowAxes);
    }

    /** Writes {@code bytes} to {@code path} (relative): a part of a case (a shard of a directory case), not a case itself. */
    Path write(String path, byte[] bytes) {
        Path f = dir.resolve(path);
        try {
            Files.createDirectories(f.getParent());
            Files.write(f, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /** Records a case whose path the caller made (a directory, a link, a FIFO, a glob). */
    Path add(String path, String category, Case.Expect expect, String name, int rowAxes) {
        cases.add(new Case(path, category, expect, name, rowAxes));
        return dir.resolve(path);
    }

    /** {@code n} seeded normal float32 values. */
    float[] normal(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** {@code n} seeded normal float64 values. */
    double[] normalDoubles(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian();
        }
        return v;
    }

    /** {@code n} seeded random bytes. */
    byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    List<Case> cases() {
        return List.copyOf(cases);
    }
}
