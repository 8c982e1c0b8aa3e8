package dev.saekit.io.hostile;

import static dev.saekit.io.hostile.Case.Expect.BAD_VALUES;
import static dev.saekit.io.hostile.Case.Expect.EITHER;
import static dev.saekit.io.hostile.Case.Expect.REFUSED;
import static dev.saekit.io.hostile.Case.Expect.VALID;
import static dev.saekit.io.hostile.DataBytes.dict;
import static dev.saekit.io.hostile.DataBytes.npy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Paths that are not a regular data file: FIFOs, sockets, devices, directories where a file is
 * expected, dangling links and loops of links, files without read permission; and directories
 * and globs of shards: empty, mixed formats, mixed widths, one bad shard among good ones.
 */
final class PathCases {
    private PathCases() {}

    static void write(Corpus c) {
        Path dir = c.dir().resolve("paths");
        byte[] valid = npy(1, dict("<f4", false, 6, 4), DataBytes.floats(ByteOrder.LITTLE_ENDIAN, c.normal(24)));
        try {
            Files.createDirectories(dir);
            String special = "paths: not a regular file";
            if (mkfifo(dir.resolve("fifo.npy"))) {
                c.add("paths/fifo.npy", special, REFUSED, null, 1);
            }
            try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
                server.bind(UnixDomainSocketAddress.of(dir.resolve("socket.npy")));
                c.add("paths/socket.npy", special, REFUSED, null, 1);
            } catch (IOException | UnsupportedOperationException e) { // no Unix domain sockets here
            }
            if (Files.exists(Path.of("/dev/zero"))) {
                Files.createSymbolicLink(dir.resolve("device.npy"), Path.of("/dev/zero"));
                c.add("paths/device.npy", special, REFUSED, null, 1);
            }
            Files.createSymbolicLink(dir.resolve("dangling.npy"), dir.resolve("nowhere.npy"));
            c.add("paths/dangling.npy", special, REFUSED, null, 1);
            Files.createSymbolicLink(dir.resolve("loop-a.npy"), dir.resolve("loop-b.npy"));
            Files.createSymbolicLink(dir.resolve("loop-b.npy"), dir.resolve("loop-a.npy"));
            c.add("paths/loop-a.npy", special, REFUSED, null, 1);
            Files.createDirectories(dir.resolve("directory.npy"));
            c.add(
                    "paths/directory.npy",
                    "paths: a directory named like a file (read as shards, and empty)",
                    REFUSED,
                    null,
                    1);
            Path unreadable =
                    c.file("paths/unreadable.npy", "paths: no read permission (readable by root)", EITHER, valid);
            try {
                Files.setPosixFilePermissions(unreadable, PosixFilePermissions.fromString("---------"));
            } catch (UnsupportedOperationException e) { // not a POSIX file system: the file stays readable
            }
            c.file("paths/valid_target.npy", "paths: valid", VALID, valid);
            Files.createSymbolicLink(dir.resolve("valid_link.npy"), dir.resolve("valid_target.npy"));
            c.add("paths/valid_link.npy", "paths: valid, a link to a file", VALID, null, 1);

            String shards = "shards: directories and globs";
            Files.createDirectories(dir.resolve("empty_dir"));
            c.add("paths/empty_dir", shards, REFUSED, null, 1);
            c.write("paths/only_notes/notes.txt", "not data".getBytes());
            c.add("paths/only_notes", shards, REFUSED, null, 1);
            c.write("paths/mixed_formats/a.npy", valid);
            ZipBuilder zip = new ZipBuilder();
            zip.add(
                    "x.npy",
                    npy(
                            1,
                            dict("<f8", false, 3, 2, 2),
                            DataBytes.doubles(ByteOrder.LITTLE_ENDIAN, c.normalDoubles(12))),
                    true);
            c.write("paths/mixed_formats/b.npz", zip.build());
            c.write(
                    "paths/mixed_formats/c.idx.gz",
                    DataBytes.gzip(DataBytes.idx(0x08, new long[] {5, 2, 2}, c.bytes(20))));
            c.add("paths/mixed_formats", "shards: valid, mixed formats and dtypes", VALID, null, 1);
            c.add("paths/mixed_formats/*.np[yz]", "shards: valid, a glob", VALID, null, 1);
            c.write("paths/mixed_widths/a.npy", valid);
            c.write(
                    "paths/mixed_widths/b.npy",
                    npy(1, dict("<f4", false, 2, 5), DataBytes.floats(ByteOrder.LITTLE_ENDIAN, c.normal(10))));
            c.add("paths/mixed_widths", shards, REFUSED, null, 1);
            c.write("paths/one_bad_shard/a.npy", valid);
            c.write("paths/one_bad_shard/b.npy", "not numpy".getBytes());
            c.add("paths/one_bad_shard", shards, REFUSED, null, 1);
            c.write("paths/one_gz_shard_with_trailing_bytes/a.npy", valid);
            c.write(
                    "paths/one_gz_shard_with_trailing_bytes/b.idx.gz",
                    DataBytes.concat(
                            DataBytes.gzip(DataBytes.idx(0x08, new long[] {2, 4}, c.bytes(8))), new byte[] {1, 2, 3}));
            c.add("paths/one_gz_shard_with_trailing_bytes", shards, REFUSED, null, 1);
            c.write("paths/fifo_among_shards/a.npy", valid);
            if (mkfifo(dir.resolve("fifo_among_shards/b.npy"))) {
                c.add("paths/fifo_among_shards", shards, REFUSED, null, 1);
            }
            c.write("paths/empty_shard/a.npy", valid);
            c.write("paths/empty_shard/b.npy", npy(1, dict("<f4", false, 0, 4), new byte[0]));
            c.add("paths/empty_shard", "shards: an empty shard (described, not streamed)", BAD_VALUES, null, 1);
            c.write("paths/zero_byte_shard/a.npy", valid);
            c.write("paths/zero_byte_shard/b.npy", new byte[0]);
            c.add("paths/zero_byte_shard", shards, REFUSED, null, 1);
            c.add("paths/mixed_formats/*.bin", "shards: a glob that matches nothing", REFUSED, null, 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean mkfifo(Path path) {
        try {
            Process p = new ProcessBuilder("mkfifo", path.toString()).start();
            return p.waitFor() == 0 && Files.exists(path);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
