package dev.saekit.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits a budget reads from a fake {@code /sys} and {@code /proc} under a temporary root. */
class MemoryBudgetTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @TempDir
    Path root;

    private void write(String file, String content) throws IOException {
        Path p = root.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private MemoryBudget budget() {
        return new MemoryBudget(root, 0, null);
    }

    private static String meminfo(long totalKb, long availableKb) {
        return "MemTotal:       " + totalKb + " kB\nMemFree:         1000 kB\nMemAvailable:   " + availableKb + " kB\n";
    }

    @Test
    void withNoFileAndNoJavaCppCapThereIsNoLimit() {
        assertEquals(List.of(), budget().limits());
        assertEquals(Optional.empty(), budget().available());
    }

    @Test
    void cgroupV2MaxIsNoLimitAndANumberIsOne() throws IOException {
        write("sys/fs/cgroup/memory.max", "max\n");
        assertEquals(List.of(), budget().limits());
        write("sys/fs/cgroup/memory.max", "2147483648\n");
        MemoryBudget.Limit limit = budget().available().orElseThrow();
        assertEquals(2 * GIB, limit.bytes());
        assertTrue(limit.source().contains("cgroup v2 memory.max"), limit.source());
    }

    @Test
    void cgroupV1HugeSentinelIsNoLimit() throws IOException {
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        assertEquals(List.of(), budget().limits());
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "1073741824\n");
        assertEquals(GIB, budget().available().orElseThrow().bytes());
    }

    @Test
    void theProcessOwnGroupAndItsAncestorsAreRead() throws IOException {
        write("proc/self/cgroup", "9:name=systemd:/\n4:memory,hugetlb:/jobs/run7\n0::/user.slice/app\n");
        write("sys/fs/cgroup/memory/jobs/memory.limit_in_bytes", "3221225472\n"); // 3 GiB on the parent
        write("sys/fs/cgroup/memory/jobs/run7/memory.limit_in_bytes", "9223372036854771712\n");
        write("sys/fs/cgroup/user.slice/app/memory.max", "4294967296\n"); // 4 GiB, v2
        MemoryBudget.Limit limit = budget().available().orElseThrow();
        assertEquals(3 * GIB, limit.bytes());
        assertTrue(
                limit.source()
                        .endsWith(Path.of("sys/fs/cgroup/memory/jobs/memory.limit_in_bytes")
                                .toString()),
                limit.source());
        assertEquals(2, budget().limits().size());
    }

    @Test
    void meminfoGivesAvailablePlusWhatTheProcessHoldsAtMostTheTotal() throws IOException {
        write("proc/meminfo", meminfo(8_000_000, 2_000_000));
        write("proc/self/status", "Name:\tjava\nVmHWM:\t  900000 kB\nVmRSS:\t  500000 kB\n");
        // (2,000,000 + 500,000) kB
        assertEquals(2_500_000L * 1024, budget().available().orElseThrow().bytes());
        write("proc/meminfo", meminfo(2_200_000, 2_000_000));
        assertEquals(2_200_000L * 1024, budget().available().orElseThrow().bytes());
    }

    @Test
    void withoutMemAvailableMemTotalIsUsed() throws IOException {
        write("proc/meminfo", "MemTotal:  4000000 kB\nMemFree:  100 kB\n");
        assertEquals(4_000_000L * 1024, budget().available().orElseThrow().bytes());
    }

    @Test
    void garbageIsIgnoredNotAnError() throws IOException {
        write("sys/fs/cgroup/memory.max", "lots\n");
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "-1\n12\n");
        write("proc/meminfo", "MemTotal: many kB\nMemAvailable: 12 MB\n");
        write("proc/self/cgroup", "\u0000\u0001garbage:::\n");
        Files.write(root.resolve("proc/self/status"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertEquals(List.of(), budget().limits());
    }

    @Test
    void theSmallestLimitWinsJavaCppIncluded() throws IOException {
        write("sys/fs/cgroup/memory.max", "4294967296\n");
        write("proc/meminfo", meminfo(16_000_000, 12_000_000));
        MemoryBudget withJavaCpp = new MemoryBudget(root, GIB, null);
        assertEquals(3, withJavaCpp.limits().size());
        assertEquals(
                new MemoryBudget.Limit(GIB, "JavaCPP maxphysicalbytes"),
                withJavaCpp.available().orElseThrow());
        assertEquals(4 * GIB, budget().available().orElseThrow().bytes());
    }

    @Test
    void theOverrideReplacesEverySource() throws IOException {
        write("sys/fs/cgroup/memory.max", "4294967296\n");
        MemoryBudget budget = new MemoryBudget(root, GIB, "600m");
        assertEquals(List.of(new MemoryBudget.Limit(600 * MIB, "-Dsaekit.memory.limit=600m")), budget.limits());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new MemoryBudget(root, 0, "lots").available());
        assertEquals(
                "saekit.memory.limit must be a size in bytes such as 800000000, 600m or 8g, was 'lots'",
                e.getMessage());
    }

    @Test
    void sizesParseInBinaryUnits() {
        assertEquals(123, MemoryBudget.parseBytes("x", "123"));
        assertEquals(600 * MIB, MemoryBudget.parseBytes("x", "600m"));
        assertEquals(600 * MIB, MemoryBudget.parseBytes("x", "600MB"));
        assertEquals(8 * GIB, MemoryBudget.parseBytes("x", " 8g "));
        assertEquals(3 * GIB / 2, MemoryBudget.parseBytes("x", "1.5g"));
        assertEquals(2048, MemoryBudget.parseBytes("x", "2k"));
        for (String bad : new String[] {"", "g", "-1g", "0", "NaN", "Infinity", "1x", "99999999999t"}) {
            assertThrows(IllegalArgumentException.class, () -> MemoryBudget.parseBytes("x", bad), bad);
        }
    }

    @Test
    void sizesPrintForPeople() {
        assertEquals("812 MiB", MemoryBudget.format(812 * MIB));
        assertEquals("1.50 GiB", MemoryBudget.format(3 * GIB / 2));
        assertEquals("24.0 GiB", MemoryBudget.format(24 * GIB));
        assertEquals("2.0 KiB", MemoryBudget.format(2048));
    }

    @Test
    void javaCppLimitsComeFromTheAvailableMemoryUnlessGiven() {
        Properties p = new Properties();
        MemoryBudget.limitJavaCpp(p, Optional.of(new MemoryBudget.Limit(10240 * MIB, "test")));
        assertEquals(String.valueOf(9216 * MIB), p.getProperty(MemoryBudget.JAVACPP_MAX_PHYSICAL_BYTES)); // a tenth off
        assertEquals(String.valueOf(9216 * MIB), p.getProperty(MemoryBudget.JAVACPP_MAX_BYTES));
        assertEquals(
                "JavaCPP's maxphysicalbytes, set from test, less a 1.00 GiB margin", MemoryBudget.javacppSource(p));

        p = new Properties();
        p.setProperty(MemoryBudget.JAVACPP_MAX_PHYSICAL_BYTES, "3g");
        MemoryBudget.limitJavaCpp(p, Optional.of(new MemoryBudget.Limit(600 * MIB, "test")));
        assertEquals("3g", p.getProperty(MemoryBudget.JAVACPP_MAX_PHYSICAL_BYTES)); // the user's own is kept
        assertEquals("-Dorg.bytedeco.javacpp.maxphysicalbytes=3g", MemoryBudget.javacppSource(p));
        assertEquals(
                String.valueOf(450 * MIB),
                p.getProperty(MemoryBudget.JAVACPP_MAX_BYTES)); // a quarter off a small limit

        p = new Properties();
        MemoryBudget.limitJavaCpp(p, Optional.of(new MemoryBudget.Limit(100_000 * MIB, "test")));
        assertEquals(
                String.valueOf(97_952 * MIB),
                p.getProperty(MemoryBudget.JAVACPP_MAX_PHYSICAL_BYTES)); // at most 2 GiB off

        p = new Properties();
        MemoryBudget.limitJavaCpp(p, Optional.empty());
        assertTrue(p.isEmpty());
        assertEquals("JavaCPP's default maxphysicalbytes, 2 x the Java heap's maximum", MemoryBudget.javacppSource(p));
    }
}
