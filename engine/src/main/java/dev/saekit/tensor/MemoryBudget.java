package dev.saekit.tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.bytedeco.javacpp.Pointer;

/**
 * How much memory this process may use: the smallest of the bounds it can read. Each source that
 * is missing, unreadable or holds garbage is skipped, never an error:
 * <ul>
 *   <li>cgroup v2 {@code memory.max} ("max" is no limit) and cgroup v1
 *       {@code memory.limit_in_bytes} (a value near 2^63 is no limit), at the top of
 *       {@code /sys/fs/cgroup} (a container's own group) and along the process's group path from
 *       {@code /proc/self/cgroup} (a limit on any ancestor group applies too);</li>
 *   <li>{@code /proc/meminfo}: {@code MemAvailable} (or {@code MemTotal} on kernels without it)
 *       plus what this process already holds ({@code VmRSS} of {@code /proc/self/status}), at most
 *       {@code MemTotal};</li>
 *   <li>JavaCPP's {@code maxphysicalbytes}: above it, JavaCPP refuses native allocations with an
 *       {@link OutOfMemoryError} (its default is twice the Java heap's maximum). JavaCPP's
 *       {@code maxbytes} is not a bound on arrays: it counts only memory that JavaCPP itself
 *       tracks, and ND4J's array data is allocated by its native library outside that count.</li>
 * </ul>
 * The system property {@value #LIMIT_PROPERTY} (bytes, or a number with {@code k}, {@code m},
 * {@code g} or {@code t}: {@code 600m}, {@code 8g}) replaces all of them.
 */
public final class MemoryBudget {
    /** System property that replaces the detected limit: {@code -Dsaekit.memory.limit=8g}. */
    public static final String LIMIT_PROPERTY = "saekit.memory.limit";
    /** JavaCPP's cap on the process's resident memory. */
    public static final String JAVACPP_MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";
    /** JavaCPP's cap on the memory of the native pointers it tracks. */
    public static final String JAVACPP_MAX_BYTES = "org.bytedeco.javacpp.maxbytes";
    /** Prefix of the properties where {@link #limitJavaCpp} notes what it set, for the limit's source. */
    private static final String DERIVED = "saekit.memory.derived.";

    private static final long MIB = 1L << 20;
    /** cgroup v1 writes "no limit" as the largest page multiple below 2^63; anything this large is none. */
    private static final long NO_LIMIT = 1L << 60;

    private final Path root;
    private final long javacppMaxPhysicalBytes;
    private final String javacppSource;
    private final String override;

    /**
     * A budget read from the files under {@code root} ({@code root/sys/fs/cgroup/...},
     * {@code root/proc/meminfo}, {@code root/proc/self/...}), with JavaCPP's cap
     * {@code javacppMaxPhysicalBytes} (0 or less: none) and the override {@code override}
     * (the value of {@value #LIMIT_PROPERTY}, or null).
     */
    public MemoryBudget(Path root, long javacppMaxPhysicalBytes, String override) {
        this(root, javacppMaxPhysicalBytes, "JavaCPP maxphysicalbytes", override);
    }

    private MemoryBudget(Path root, long javacppMaxPhysicalBytes, String javacppSource, String override) {
        this.root = root;
        this.javacppMaxPhysicalBytes = javacppMaxPhysicalBytes;
        this.javacppSource = javacppSource;
        this.override = override == null || override.isBlank() ? null : override.strip();
    }

    /** This machine and process, JavaCPP's cap included (reading it loads JavaCPP, which fixes its limits). */
    public static MemoryBudget system() {
        return new MemoryBudget(
                Path.of("/"),
                Pointer.maxPhysicalBytes(),
                javacppSource(System.getProperties()),
                System.getProperty(LIMIT_PROPERTY));
    }

    /** Where JavaCPP's cap comes from: its default, the user's {@code -D}, or {@link #limitJavaCpp}. */
    static String javacppSource(Properties properties) {
        String set = properties.getProperty(JAVACPP_MAX_PHYSICAL_BYTES);
        if (set == null || set.isBlank()) {
            return "JavaCPP's default maxphysicalbytes, 2 x the Java heap's maximum";
        }
        return set.equals(properties.getProperty(DERIVED + JAVACPP_MAX_PHYSICAL_BYTES))
                ? "JavaCPP's maxphysicalbytes, set from " + properties.getProperty(DERIVED + "source")
                : "-D" + JAVACPP_MAX_PHYSICAL_BYTES + "=" + set.strip();
    }

    /**
     * Sets JavaCPP's {@value #JAVACPP_MAX_PHYSICAL_BYTES} and {@value #JAVACPP_MAX_BYTES} in
     * {@code properties} to {@code available} less a margin, each only where it is not set
     * already; nothing when {@code available} is empty. Call it before ND4J loads: JavaCPP reads
     * them once. Above {@code maxphysicalbytes} resident memory, JavaCPP refuses native allocations
     * with an {@link OutOfMemoryError} (a message, not the kernel's out-of-memory killer); its own
     * default is twice the Java heap's maximum, unrelated to the machine. The margin (a tenth, at
     * least 256 MiB or a quarter of a small limit, at most 2 GiB) covers what is allocated between
     * two of its checks: one array, a BLAS call's scratch. {@code maxbytes} counts only the native
     * pointers JavaCPP tracks itself, not ND4J's array data, so the same value never gets in the way.
     */
    public static void limitJavaCpp(Properties properties, Optional<Limit> available) {
        if (available.isEmpty()) {
            return;
        }
        long limit = available.get().bytes();
        long margin = Math.min(2048 * MIB, Math.max(limit / 10, Math.min(256 * MIB, limit / 4)));
        String cap = String.valueOf(limit - margin);
        for (String key : new String[] {JAVACPP_MAX_PHYSICAL_BYTES, JAVACPP_MAX_BYTES}) {
            String set = properties.getProperty(key);
            if (set == null || set.isBlank()) {
                properties.setProperty(key, cap);
                properties.setProperty(DERIVED + key, cap);
            }
        }
        properties.setProperty(DERIVED + "source", available.get().source() + ", less a " + format(margin) + " margin");
    }

    /**
     * {@link #limitJavaCpp} on the system properties with the memory this process may use (its
     * cgroup's limit, the machine's available memory): what the {@code saekit} command does first,
     * and what an application that uses the engine or the DSL does by calling it before ND4J loads.
     * Values given with {@code -D} are kept; a malformed {@value #LIMIT_PROPERTY} is left for the
     * trainer's memory check to report.
     */
    public static void limitJavaCppToAvailableMemory() {
        Optional<Limit> available;
        try {
            available = operatingSystem().available();
        } catch (IllegalArgumentException e) {
            available = Optional.empty();
        }
        limitJavaCpp(System.getProperties(), available);
    }

    /**
     * This machine and process without JavaCPP: safe to call before ND4J loads, to choose
     * JavaCPP's limits (which it reads once, when it loads).
     */
    public static MemoryBudget operatingSystem() {
        return new MemoryBudget(Path.of("/"), 0, System.getProperty(LIMIT_PROPERTY));
    }

    /** A bound on the memory of this process, in bytes, and where it comes from. */
    public record Limit(long bytes, String source) {
        @Override
        public String toString() {
            return format(bytes) + " (" + source + ")";
        }
    }

    /** The smallest bound, or empty when no source could be read. */
    public Optional<Limit> available() {
        return limits().stream().min(Comparator.comparingLong(Limit::bytes));
    }

    /**
     * Every bound that could be read; only the override when {@value #LIMIT_PROPERTY} is set.
     *
     * @throws IllegalArgumentException when the override is not a size
     */
    public List<Limit> limits() {
        if (override != null) {
            return List.of(new Limit(parseBytes(LIMIT_PROPERTY, override), "-D" + LIMIT_PROPERTY + "=" + override));
        }
        List<Limit> limits = new ArrayList<>();
        for (String group : groupPaths(true)) {
            cgroupLimit("sys/fs/cgroup" + group + "/memory.max", "cgroup v2 memory.max")
                    .ifPresent(limits::add);
        }
        for (String group : groupPaths(false)) {
            cgroupLimit("sys/fs/cgroup/memory" + group + "/memory.limit_in_bytes", "cgroup v1 memory.limit_in_bytes")
                    .ifPresent(limits::add);
        }
        meminfoLimit().ifPresent(limits::add);
        if (javacppMaxPhysicalBytes > 0) {
            limits.add(new Limit(javacppMaxPhysicalBytes, javacppSource));
        }
        return limits;
    }

    /**
     * "" (the top of the hierarchy) and, from {@code /proc/self/cgroup}, the process's group and its
     * ancestors: of the v2 line ({@code 0::/path}) or of the v1 line whose controllers include
     * {@code memory} ({@code 4:memory:/path}).
     */
    private List<String> groupPaths(boolean v2) {
        List<String> paths = new ArrayList<>(List.of(""));
        for (String line : lines("proc/self/cgroup")) {
            String[] f = line.split(":", 3);
            boolean match = f.length == 3
                    && (v2
                            ? f[0].equals("0") && f[1].isEmpty()
                            : List.of(f[1].split(",")).contains("memory"));
            if (match && f[2].startsWith("/")) {
                String path = f[2].strip();
                while (path.length() > 1) { // "/a/b" then "/a"; "/" is the top, already listed
                    paths.add(path);
                    path = path.substring(0, path.lastIndexOf('/'));
                }
            }
        }
        return paths;
    }

    private Optional<Limit> cgroupLimit(String file, String source) {
        List<String> content = lines(file);
        if (content.size() != 1) {
            return Optional.empty();
        }
        long bytes = parseLong(content.get(0).strip()); // "max" (v2's no limit) and garbage parse to -1
        return bytes > 0 && bytes < NO_LIMIT
                ? Optional.of(new Limit(bytes, source + " " + root.resolve(file)))
                : Optional.empty();
    }

    private Optional<Limit> meminfoLimit() {
        List<String> meminfo = lines("proc/meminfo");
        long total = kilobytes(meminfo, "MemTotal:");
        long available = kilobytes(meminfo, "MemAvailable:");
        if (available <= 0) {
            available = total;
        }
        if (available <= 0) {
            return Optional.empty();
        }
        long held = Math.max(0, kilobytes(lines("proc/self/status"), "VmRSS:"));
        long bytes = total > 0 ? Math.min(total, available + held) : available + held;
        return Optional.of(new Limit(
                bytes * 1024,
                held > 0
                        ? "MemAvailable of /proc/meminfo plus the " + format(held * 1024) + " this process holds"
                        : "MemAvailable of /proc/meminfo"));
    }

    /** The value of {@code key} in a {@code Key:   123 kB} file, in kB, or -1. */
    private static long kilobytes(List<String> lines, String key) {
        for (String line : lines) {
            if (line.startsWith(key)) {
                String[] f = line.substring(key.length()).strip().split("\\s+");
                return f.length == 2 && f[1].equals("kB") ? parseLong(f[0]) : -1;
            }
        }
        return -1;
    }

    private List<String> lines(String file) {
        try {
            return Files.readAllLines(root.resolve(file));
        } catch (IOException | RuntimeException e) { // missing, unreadable, not text: not a source here
            return List.of();
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * {@code 123}, {@code 600m}, {@code 8g}, {@code 1.5g} (binary units, as {@code -Xmx} and
     * JavaCPP read them) in bytes.
     *
     * @param name what the value is, for the error
     * @throws IllegalArgumentException when {@code value} is not a positive size
     */
    public static long parseBytes(String name, String value) {
        String s = value.strip().toLowerCase(Locale.ROOT);
        s = s.endsWith("b") ? s.substring(0, s.length() - 1) : s; // 600mb, 8gb
        int units = s.isEmpty() ? -1 : "kmgt".indexOf(s.charAt(s.length() - 1));
        String number = units >= 0 ? s.substring(0, s.length() - 1) : s;
        try {
            double bytes = Double.parseDouble(number) * Math.pow(1024, units + 1);
            if (bytes >= 1 && bytes < Long.MAX_VALUE && !number.isBlank() && Character.isDigit(number.charAt(0))) {
                return (long) bytes;
            }
        } catch (NumberFormatException e) {
            // the error below
        }
        throw new IllegalArgumentException(
                name + " must be a size in bytes such as 800000000, 600m or 8g, was '" + value + "'");
    }

    /**
     * The most memory this process has had resident (VmHWM of /proc/self/status: heap and native),
     * in bytes, or -1 where the file or the line is missing.
     */
    public static long peakResidentBytes() {
        long kb = kilobytes(operatingSystem().lines("proc/self/status"), "VmHWM:");
        return kb < 0 ? -1 : kb * 1024;
    }

    /** {@code 812 MiB}, {@code 1.4 GiB}: bytes for a message. */
    public static String format(long bytes) {
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        if (bytes < 10L * 1024 * 1024 * 1024) {
            double mib = bytes / (1024.0 * 1024);
            return mib < 1024
                    ? String.format(Locale.ROOT, "%.0f MiB", mib)
                    : String.format(Locale.ROOT, "%.2f GiB", mib / 1024);
        }
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
