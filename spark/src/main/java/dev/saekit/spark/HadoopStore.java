package dev.saekit.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

/**
 * A directory on a Hadoop file system ({@code hdfs://}, {@code s3a://}, {@code file://}, ...) and
 * the few operations saekit's parts need there, by paths relative to it: whether a file is there,
 * fetching a file (or a byte range of it) to local disk, publishing a local file so that it appears
 * whole or not at all, renaming into place, listing and deleting.
 *
 * <p>A published file is written beside its place under a temporary name and renamed there: on
 * HDFS and local disks that rename is atomic; on object stores it is a copy, so a folder that
 * must appear whole marks itself complete with a file written last, as a harvest part's {@code
 * part.json} does. The store has its own {@link FileSystem} instance, with checksum files off, and
 * is closed after use.
 */
final class HadoopStore implements AutoCloseable {
    private final String uri;
    private final FileSystem fs;
    private final org.apache.hadoop.fs.Path root;

    private HadoopStore(String uri, FileSystem fs, org.apache.hadoop.fs.Path root) {
        this.uri = uri;
        this.fs = fs;
        this.root = root;
    }

    /** Opens {@code uri} with {@code conf}; a scheme no file system serves is one clear error. */
    static HadoopStore open(String uri, Configuration conf) throws IOException {
        URI parsed;
        try {
            parsed = new URI(uri.endsWith("/") && uri.length() > 1 ? uri.substring(0, uri.length() - 1) : uri);
        } catch (java.net.URISyntaxException e) {
            throw new IOException(uri + " is not a URI: " + e.getReason());
        }
        FileSystem fs;
        try {
            fs = FileSystem.newInstance(parsed, conf);
        } catch (org.apache.hadoop.fs.UnsupportedFileSystemException e) {
            throw new IOException("no Hadoop file system serves " + parsed.getScheme() + ":// (" + uri
                    + "): give a path every machine shares, or add the file system's jar and settings (see"
                    + " docs/spark.md)");
        } catch (RuntimeException e) {
            if (e.getCause() instanceof ClassNotFoundException missing) { // configured, but its jar is not here
                throw new IOException("the Hadoop file system for " + parsed.getScheme() + ":// (" + uri + ") is "
                        + missing.getMessage().replaceFirst("^Class (\\S+) not found$", "$1")
                        + ", which is not on the class path: put its jar and its dependencies in saekit-spark.jar's"
                        + " lib/ (for s3a://, hadoop-aws and the AWS SDK; see docs/spark.md)");
            }
            throw e;
        }
        if (fs instanceof ChecksumFileSystem c) { // saekit's files carry their own checks; no .crc beside them
            c.setWriteChecksum(false);
            c.setVerifyChecksum(false);
        }
        return new HadoopStore(uri, fs, new org.apache.hadoop.fs.Path(parsed));
    }

    /** The URI as given. */
    String uri() {
        return uri;
    }

    /** {@code uri/relative}, for messages. */
    String describe(String relative) {
        return relative.isEmpty() ? uri : uri.replaceAll("/+$", "") + "/" + relative;
    }

    private org.apache.hadoop.fs.Path at(String relative) {
        return relative.isEmpty() ? root : new org.apache.hadoop.fs.Path(root, relative);
    }

    boolean isFile(String relative) throws IOException {
        try {
            return fs.getFileStatus(at(relative)).isFile();
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    boolean exists(String relative) throws IOException {
        return fs.exists(at(relative));
    }

    /** Whether {@code relative} is a folder with something in it; a file there is an error. */
    boolean isNonEmptyFolder(String relative) throws IOException {
        FileStatus status;
        try {
            status = fs.getFileStatus(at(relative));
        } catch (FileNotFoundException e) {
            return false;
        }
        if (!status.isDirectory()) {
            throw new IOException(describe(relative) + " exists and is not a directory");
        }
        return fs.listStatus(at(relative)).length > 0;
    }

    /** The names in folder {@code relative}; none if it is not there. */
    List<String> list(String relative) throws IOException {
        List<String> names = new ArrayList<>();
        try {
            for (FileStatus s : fs.listStatus(at(relative))) {
                names.add(s.getPath().getName());
            }
        } catch (FileNotFoundException e) {
            // no folder, no names
        }
        names.sort(null);
        return names;
    }

    /** Copies {@code relative} to the local {@code target}. */
    void fetch(String relative, Path target) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        try (InputStream in = fs.open(at(relative));
                OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
        }
    }

    /**
     * Copies bytes {@code [from, to)} of {@code relative} to the same offsets of the local {@code
     * target}, a file as long as the remote one whose other bytes are a hole (no disk): for a reader
     * that seeks to its range, as a harvest part does in the staged documents.
     */
    void fetchRange(String relative, Path target, long from, long to) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        long length = fs.getFileStatus(at(relative)).getLen();
        if (to > length || from > to) {
            throw new IOException(describe(relative) + " holds " + length + " bytes, not the bytes " + from + ".." + to
                    + " planned: the staged files are damaged; plan again");
        }
        byte[] buffer = new byte[1 << 20];
        try (FSDataInputStream in = fs.open(at(relative));
                RandomAccessFile out = new RandomAccessFile(target.toFile(), "rw")) {
            out.setLength(length);
            in.seek(from);
            out.seek(from);
            for (long at = from; at < to; ) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, to - at));
                if (n < 0) {
                    throw new IOException(describe(relative) + " ended at byte " + at + " of " + to);
                }
                out.write(buffer, 0, n);
                at += n;
            }
        }
    }

    /**
     * Publishes the local file {@code source} as {@code relative}: written to a temporary name
     * beside it, then renamed over whatever is there, so that readers see the old file or the whole
     * new one.
     */
    void publish(Path source, String relative) throws IOException {
        org.apache.hadoop.fs.Path target = at(relative);
        org.apache.hadoop.fs.Path tmp = new org.apache.hadoop.fs.Path(
                target.getParent(),
                "." + target.getName() + "."
                        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (InputStream in = Files.newInputStream(source);
                    OutputStream out = fs.create(tmp, true)) {
                in.transferTo(out);
            }
            rename(tmp, target);
        } finally {
            fs.delete(tmp, false);
        }
    }

    /**
     * Publishes every file under the local folder {@code source} to the same places under {@code
     * relative}, {@code last} (if there) last, after {@code beforeLast} runs.
     */
    void publishTree(Path source, String relative, String last, Runnable beforeLast) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(source)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        Path lastFile = null;
        for (Path f : files) {
            String rel = source.relativize(f).toString().replace(java.io.File.separatorChar, '/');
            if (rel.equals(last)) {
                lastFile = f;
            } else {
                publish(f, relative + "/" + rel);
            }
        }
        beforeLast.run();
        if (lastFile != null) {
            publish(lastFile, relative + "/" + last);
        }
    }

    /**
     * Moves {@code from} to {@code to} (both relative), replacing {@code to}, unless an earlier,
     * interrupted move did it already ({@code from} gone, {@code to} there): neither there is an
     * error naming {@code owner}.
     */
    void moveIntoPlace(String from, String to, String owner) throws IOException {
        if (fs.exists(at(from))) {
            fs.mkdirs(at(to).getParent());
            rename(at(from), at(to));
        } else if (!fs.exists(at(to))) {
            throw new FileNotFoundException(describe(from) + " is missing from " + owner + " and from the harvest: the"
                    + " part is damaged; delete " + describe(from.substring(0, from.lastIndexOf('/')))
                    + " and run the part again");
        }
    }

    private void rename(org.apache.hadoop.fs.Path from, org.apache.hadoop.fs.Path to) throws IOException {
        if (fs.exists(to)) {
            fs.delete(to, false);
        }
        if (!fs.rename(from, to)) {
            throw new IOException("could not rename " + from + " to " + to);
        }
    }

    /** Deletes {@code relative} and everything under it, if it is there. */
    void delete(String relative) throws IOException {
        fs.delete(at(relative), true);
    }

    @Override
    public void close() throws IOException {
        fs.close();
    }
}
