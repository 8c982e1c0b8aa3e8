package dev.saekit.spark;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A Hadoop file system with its own scheme, {@code loopback:///tmp/x} for the local {@code
 * /tmp/x}: a location that only Hadoop's {@code FileSystem} can open ({@code java.nio} takes it for
 * a relative path that does not exist), so a test through it shows that every read and write of a
 * command goes through Hadoop. Registered with {@code spark.hadoop.fs.loopback.impl}.
 */
public class LoopbackFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "loopback";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    /** The Spark setting that serves {@code loopback://} with this class. */
    static String[] conf() {
        return new String[] {"--conf", "spark.hadoop.fs." + SCHEME + ".impl=" + LoopbackFileSystem.class.getName()};
    }
}
