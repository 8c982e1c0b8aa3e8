package dev.saekit.io;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Test helpers for the readers beside {@code .npy}: where their fixture files are. */
final class IoFixtures {
    private IoFixtures() {}

    /** A file or directory under {@code src/test/resources/}, e.g. {@code idx/f4_2d.idx}. */
    static Path resource(String path) {
        URL url = IoFixtures.class.getResource("/" + path);
        if (url == null) {
            throw new IllegalArgumentException("no test resource " + path);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
