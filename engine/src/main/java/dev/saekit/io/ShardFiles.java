package dev.saekit.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns where a user says the shards are, a directory or a glob, into the list of shard files in
 * a fixed order: sorted by path, character by character (so {@code shard-10} comes before
 * {@code shard-2}: pad the numbers, as {@code shard-0002}). A directory's shards are its data files
 * by name ({@link #isDataFileName}); a glob's are every file it matches, whatever their names. A
 * match that is not a regular file (a FIFO, a device, a dangling link) is refused, not skipped:
 * leaving it out would silently drop its rows.
 */
final class ShardFiles {
    private static final String GLOB_CHARS = "*?[{";

    private ShardFiles() {}

    /** Whether {@code location} is a glob pattern rather than a plain path. */
    static boolean isGlob(String location) {
        return location.chars().anyMatch(c -> GLOB_CHARS.indexOf(c) >= 0);
    }

    /**
     * Whether a directory's file is taken as a shard by its name: {@code .npy}, {@code .npz},
     * {@code .safetensors}, {@code .idx}, {@code .idx.gz}, and MNIST's {@code *-idx3-ubyte} with or
     * without {@code .gz}.
     */
    static boolean isDataFileName(Path file) {
        String name =
                file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".npy")
                || name.endsWith(".npz")
                || name.endsWith(".safetensors")
                || name.endsWith(".idx")
                || name.endsWith(".idx.gz")
                || name.matches(".*idx\\d+-u?byte(\\.gz)?");
    }

    /**
     * The data files directly in the directory {@code location}, or the regular files that match the
     * glob {@code location} ({@code acts/*.npy}, {@code acts/layer-?/*.npz}, {@code acts/**.safetensors});
     * an error if there are none.
     */
    static List<Path> resolve(String location) throws IOException {
        if (!isGlob(location)) {
            Path dir = Path.of(location);
            if (!Files.isDirectory(dir)) {
                throw new NoSuchFileException(location, null, "not a directory of shards");
            }
            List<Path> files = list(dir, 1, ShardFiles::isDataFileName);
            if (files.isEmpty()) {
                throw new IllegalArgumentException("directory " + location
                        + " holds no data files (.npy, .npz, .safetensors," + " .idx or .idx.gz)");
            }
            return files;
        }
        // the directory is the part of the pattern before its first component with a glob character
        Path pattern = Path.of(location);
        int literal = 0;
        while (literal < pattern.getNameCount()
                && !isGlob(pattern.getName(literal).toString())) {
            literal++;
        }
        Path rest = pattern.subpath(literal, pattern.getNameCount());
        Path dir = literal == 0
                ? pattern.getRoot()
                : pattern.getRoot() == null
                        ? pattern.subpath(0, literal)
                        : pattern.getRoot().resolve(pattern.subpath(0, literal));
        Path start = dir == null ? Path.of(".") : dir;
        if (!Files.isDirectory(start)) {
            throw new NoSuchFileException(
                    start.toString(), null, "the directory of the pattern " + location + " does not exist");
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        int depth = rest.toString().contains("**") ? Integer.MAX_VALUE : rest.getNameCount();
        List<Path> files = list(start, depth, p -> matcher.matches(start.relativize(p)));
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no file matches " + location);
        }
        return dir == null ? files.stream().map(start::relativize).collect(Collectors.toList()) : files;
    }

    /** The files under {@code dir} that {@code keep} accepts, sorted; a kept path that is not a regular file is an error. */
    private static List<Path> list(Path dir, int depth, Predicate<Path> keep) throws IOException {
        List<Path> kept;
        try (Stream<Path> s = Files.walk(dir, depth)) {
            kept = s.filter(p -> !p.equals(dir)).filter(keep).sorted().collect(Collectors.toList());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        List<Path> files = new ArrayList<>(kept.size());
        for (Path p : kept) {
            BasicFileAttributes a = RegularFiles.attributes(p);
            if (a.isRegularFile()) {
                files.add(p);
            } else if (!a.isDirectory()) {
                throw new MalformedFileException(
                        p.toString(),
                        "is " + RegularFiles.kind(p, a) + ", not a regular file; every"
                                + " shard must be a regular file");
            }
        }
        return files;
    }
}
