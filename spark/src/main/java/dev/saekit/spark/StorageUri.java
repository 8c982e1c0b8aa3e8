package dev.saekit.spark;

import java.util.regex.Pattern;

/**
 * Whether a location a {@code saekit spark} command is given is a URI of a Hadoop file system
 * ({@code hdfs://nn/data}, {@code s3a://bucket/data}, {@code file:///shared/data}), read and
 * written through Hadoop's {@code FileSystem}, rather than a path of the local file system.
 */
final class StorageUri {
    private static final Pattern URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:/.*");

    private StorageUri() {}

    static boolean isUri(String location) {
        return URI.matcher(location).matches();
    }
}
