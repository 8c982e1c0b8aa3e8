package dev.saekit.cli;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How every path option of the command line reads its value: a path, or a {@code file:} URI
 * ({@code file:///data/acts.npy}) for the same local file. Another URI ({@code hdfs://...},
 * {@code s3a://...}, {@code https://...}) is refused with one line: the single-machine commands
 * read and write local files, and taking {@code hdfs://nn/x} as the relative path {@code hdfs:/nn/x}
 * would write a folder named {@code hdfs:} instead.
 */
public final class PathConverter implements ITypeConverter<Path> {
    private static final Pattern URI_LIKE = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:/.*");

    /**
     * Whether {@code value} is a URI with a scheme ({@code hdfs://nn/x}, {@code file:///x}, {@code
     * s3a://b/x}) rather than a path.
     */
    public static boolean isUri(String value) {
        return URI_LIKE.matcher(value).matches();
    }

    @Override
    public Path convert(String value) {
        if (value.regionMatches(true, 0, "file:", 0, 5)) {
            try {
                return Path.of(URI.create(value));
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                throw new TypeConversionException("'" + value + "' is not a file: URI of a local path ("
                        + e.getMessage() + "): write file:///absolute/path, or the path itself");
            }
        }
        if (isUri(value)) {
            throw new TypeConversionException("'" + value + "' is a URI, not a local path: this command reads and"
                    + " writes local files (and file:// URIs); of saekit's commands, only saekit spark harvest"
                    + " writes to a Hadoop file system (see docs/spark.md)");
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new TypeConversionException("'" + value + "' is not a path: " + e.getReason());
        }
    }
}
