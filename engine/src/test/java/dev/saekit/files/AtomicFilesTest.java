package dev.saekit.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Complete or absent: the target holds the old bytes or the new ones, and no temporary file outlives a write. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<Path> files() throws IOException {
        try (var s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void writesTheBytesAndLeavesOnlyTheTarget() throws IOException {
        Path file = dir.resolve("a.json");
        AtomicFiles.writeString(file, "{}\n");
        assertEquals("{}\n", Files.readString(file));
        assertEquals(List.of(file), files(), "the temporary file was renamed, not copied");
    }

    @Test
    void aFailureHalfwayLeavesNeitherAPartialTargetNorATemporaryFile() throws IOException {
        Path file = dir.resolve("a.npy");
        IOException e = assertThrows(
                IOException.class,
                () -> AtomicFiles.write(file, ch -> {
                    ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                    throw new IOException("disk full");
                }));
        assertEquals("disk full", e.getMessage(), "the body's own error comes through");
        assertEquals(List.of(), files());

        RuntimeException r = new IllegalStateException("bug");
        assertSame(
                r,
                assertThrows(
                        IllegalStateException.class,
                        () -> AtomicFiles.write(file, ch -> {
                            ch.write(ByteBuffer.wrap(new byte[] {1}));
                            throw r;
                        })));
        assertEquals(List.of(), files(), "unchecked failures clean up too");
    }

    @Test
    void aFailedRewriteKeepsTheOldFile() throws IOException {
        Path file = dir.resolve("latest");
        AtomicFiles.writeString(file, "step-000000100\n");
        assertThrows(
                IOException.class,
                () -> AtomicFiles.write(file, ch -> {
                    ch.write(ByteBuffer.wrap("step-0000".getBytes(StandardCharsets.UTF_8)));
                    throw new IOException("killed");
                }));
        assertEquals("step-000000100\n", Files.readString(file));
        assertEquals(List.of(file), files());
    }

    @Test
    void anExistingTargetIsReplacedByARenameNotRewrittenInPlace() throws IOException {
        Path file = dir.resolve("steps.csv");
        AtomicFiles.writeString(file, "old\n");
        Object oldKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        try (InputStream reader = Files.newInputStream(file)) { // a reader that opened the old file
            AtomicFiles.write(file, ch -> {
                ch.write(ByteBuffer.wrap("new, longer\n".getBytes(StandardCharsets.UTF_8)));
                assertEquals("old\n", Files.readString(file), "until the rename the target is the old file");
            });
            assertArrayEquals(
                    "old\n".getBytes(StandardCharsets.UTF_8),
                    reader.readAllBytes(),
                    "it keeps reading the old bytes whole");
        }
        assertEquals("new, longer\n", Files.readString(file));
        if (oldKey != null) { // an inode where the file system has one: a new file took the name
            assertNotEquals(
                    oldKey,
                    Files.readAttributes(file, BasicFileAttributes.class).fileKey());
        }
        assertEquals(List.of(file), files());
    }

    @Test
    void aPendingFileAppearsOnlyOnCommitAndVanishesWhenClosedWithout() throws IOException {
        Path file = dir.resolve("labels.tsv");
        try (AtomicFiles.Pending pending = AtomicFiles.create(file)) {
            try (BufferedWriter w = pending.writer()) {
                w.write("<blank>\n");
            }
            assertFalse(Files.exists(file), "nothing at the target before the commit");
            pending.commit(); // the writer closed the channel: the commit forces through its own
            assertThrows(IllegalStateException.class, pending::commit);
        }
        assertEquals("<blank>\n", Files.readString(file));

        Path other = dir.resolve("lines.tsv");
        try (AtomicFiles.Pending pending = AtomicFiles.create(other)) {
            pending.channel().write(ByteBuffer.wrap(new byte[] {9}));
        }
        assertEquals(List.of(file), files(), "closed without a commit: the temporary file is gone, no target");
    }
}
