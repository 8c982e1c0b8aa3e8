package dev.saekit.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The BLAS that ND4J's dense products run on in this process, as benchmarks report it: its vendor
 * (as ND4J names it), the threads it may use, and the shared library files that provide it (read
 * from {@code /proc/self/maps}, so that a library swapped in with {@code -Dorg.bytedeco.openblas.load}
 * shows as what was really loaded).
 *
 * @param vendor    ND4J's name for the BLAS vendor ({@code OPENBLAS}, {@code MKL}, {@code UNKNOWN})
 * @param threads   the threads ND4J reports for its BLAS calls
 * @param libraries the mapped shared objects whose names mark a BLAS ({@code libopenblas*},
 *                  {@code libmkl*}), absolute paths; empty where {@code /proc/self/maps} is unreadable
 * @param version   the OpenBLAS version when the loaded library names one in its path
 *                  (JavaCPP's cache keeps the jar's name, {@code openblas-0.3.19-1.5.7-...}), or
 *                  {@code ""}
 */
public record BlasLibrary(String vendor, int threads, List<String> libraries, String version) {

    private static final Pattern BLAS_FILE = Pattern.compile("lib(openblas|mkl)[^/]*\\.so[.0-9]*$");
    private static final Pattern OPENBLAS_VERSION = Pattern.compile("openblas-(\\d+\\.\\d+\\.\\d+)");

    public BlasLibrary {
        libraries = List.copyOf(libraries);
    }

    /** The BLAS of this process (loads ND4J's native backend if it is not loaded yet). */
    public static BlasLibrary current() {
        String vendor = String.valueOf(Nd4j.factory().blas().getBlasVendor());
        Object threads = Nd4j.getExecutioner().getEnvironmentInformation().get("blas.threads");
        int n = threads instanceof Number num ? num.intValue() : parseOr(String.valueOf(threads), -1);
        List<String> libraries = mappedBlasFiles(Path.of("/proc/self/maps"));
        return new BlasLibrary(vendor, n, libraries, versionOf(libraries));
    }

    /** One line for logs: {@code OPENBLAS 0.3.19, 2 threads (libopenblas_nolapack.so.0)}. */
    public String describe() {
        String files = libraries.stream()
                .map(p -> p.substring(p.lastIndexOf('/') + 1))
                .reduce((a, b) -> a + ", " + b)
                .orElse("library not found in /proc/self/maps");
        return vendor + (version.isEmpty() ? "" : " " + version) + ", " + threads + " threads (" + files + ")";
    }

    /** The distinct mapped files of {@code maps} (a {@code /proc/PID/maps} file) that are BLAS libraries. */
    static List<String> mappedBlasFiles(Path maps) {
        List<String> found = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(maps);
        } catch (IOException | RuntimeException e) {
            return found;
        }
        for (String line : lines) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue;
            }
            String file = line.substring(slash).trim();
            String name = file.substring(file.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
            if (BLAS_FILE.matcher(name).find() && !name.startsWith("libjni") && !found.contains(file)) {
                found.add(file);
            }
        }
        return found;
    }

    /** The OpenBLAS version a library path names (JavaCPP's cache directory is the jar's name), or "". */
    static String versionOf(List<String> libraries) {
        for (String file : libraries) {
            Matcher m = OPENBLAS_VERSION.matcher(file);
            if (file.contains("libopenblas") && m.find()) {
                return m.group(1);
            }
        }
        return "";
    }

    private static int parseOr(String s, int otherwise) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
