package dev.saekit.io;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns where a user says the shards are, a directory or a glob, into the list of shard files in
 * a fixed order: sorted by path, character by character (so {@code shard-10} comes before
 * {@code shard-2}: pad the numbers, as {@code shard-0002}).
 */
final class ShardFiles {
    private static final String GLOB_CHARS = "*?[{";

    private ShardFiles() {
    }

    /** Whether {@code location} is a glob pattern rather than a plain path. */
    static boolean isGlob(String location) {
        return location.chars().anyMatch(c -> GLOB_CHARS.indexOf(c) >= 0);
    }

    /**
     * The {@code .npy} files directly in the directory {@code location}, or the regular files that
     * match the glob {@code location} ({@code acts/*.npy}, {@code acts/layer-?/*.npy},
     * {@code acts/**.npy}); an error if there are none.
     */
    static List<Path> resolve(String location) throws IOException {
        if (!isGlob(location)) {
            Path dir = Path.of(location);
            if (!Files.isDirectory(dir)) {
                throw new NoSuchFileException(location, null, "not a directory of .npy shards");
            }
            List<Path> files = list(dir, 1, p -> p.getFileName().toString().endsWith(".npy"));
            if (files.isEmpty()) {
                throw new IllegalArgumentException("directory " + location + " holds no .npy files");
            }
            return files;
        }
        // the directory is the part of the pattern before its first component with a glob character
        Path pattern = Path.of(location);
        int literal = 0;
        while (literal < pattern.getNameCount() && !isGlob(pattern.getName(literal).toString())) {
            literal++;
        }
        Path rest = pattern.subpath(literal, pattern.getNameCount());
        Path dir = literal == 0 ? pattern.getRoot() : pattern.getRoot() == null
                ? pattern.subpath(0, literal) : pattern.getRoot().resolve(pattern.subpath(0, literal));
        Path start = dir == null ? Path.of(".") : dir;
        if (!Files.isDirectory(start)) {
            throw new NoSuchFileException(start.toString(), null, "the directory of the pattern " + location + " does not exist");
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + rest);
        int depth = rest.toString().contains("**") ? Integer.MAX_VALUE : rest.getNameCount();
        List<Path> files = list(start, depth, p -> matcher.matches(start.relativize(p)));
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no file matches " + location);
        }
        return dir == null ? files.stream().map(start::relativize).collect(Collectors.toList()) : files;
    }

    private static List<Path> list(Path dir, int depth, java.util.function.Predicate<Path> keep) throws IOException {
        try (Stream<Path> s = Files.walk(dir, depth)) {
            return s.filter(Files::isRegularFile).filter(keep).sorted().collect(Collectors.toList());
        }
    }
}
