package dev.saekit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * What JMH generated at compile time ({@code META-INF/BenchmarkList} and the harness classes) lists
 * every benchmark with the performance benchmark's shapes, and every listed benchmark runs once
 * on small sizes.
 */
class EveryBenchmarkTest {
    private static final List<Class<? extends KernelBenchmark>> CLASSES =
            List.of(TopKBench.class, SparseCodesBench.class, AdamBench.class);
    /** The shapes of the performance benchmark. */
    private static final Map<String, String> DEFAULTS =
            Map.of("batch", "1024", "concepts", "16384", "input", "768", "k", "32", "dtype", "float32");

    private static final Map<String, String> SMALL = Map.of(
            "batch",
            String.valueOf(Reference.BATCH),
            "concepts",
            String.valueOf(Reference.CONCEPTS),
            "input",
            String.valueOf(Reference.INPUT),
            "k",
            String.valueOf(Reference.K),
            "dtype",
            "float32");

    static List<BenchmarkListEntry> generated() throws IOException {
        try (InputStream in = EveryBenchmarkTest.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            assertNotNull(in, BenchmarkList.BENCHMARK_LIST + " is missing: is JMH's annotation processor configured?");
            return BenchmarkList.readBenchmarkList(in);
        }
    }

    @Test
    void theGeneratedListHoldsExactlyTheAnnotatedMethods() throws IOException {
        Set<String> annotated = CLASSES.stream()
                .flatMap(c -> Arrays.stream(c.getDeclaredMethods())
                        .filter(m -> m.isAnnotationPresent(Benchmark.class))
                        .map(m -> c.getName() + "." + m.getName()))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> listed = generated().stream()
                .map(BenchmarkListEntry::getUsername)
                .collect(Collectors.toCollection(TreeSet::new));

        assertEquals(annotated, listed);
    }

    @Test
    void everyBenchmarkDefaultsToThePerformanceBenchmarkShapes() throws IOException {
        for (BenchmarkListEntry e : generated()) {
            Map<String, String> defaults = new TreeMap<>();
            e.getParams().get().forEach((name, values) -> defaults.put(name, String.join(",", values)));
            for (Map.Entry<String, String> p : defaults.entrySet()) {
                assertEquals(DEFAULTS.get(p.getKey()), p.getValue(), e.getUsername() + " @Param " + p.getKey());
            }
        }
    }

    static Stream<BenchmarkListEntry> entries() throws IOException {
        return generated().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void runsOnceOnSmallSizes(BenchmarkListEntry entry) throws Exception {
        String target = entry.generatedTarget();
        Class.forName(target.substring(0, target.lastIndexOf('.'))); // the generated harness
        Class<?> type = Class.forName(entry.getUserClassQName());
        Object bench = type.getConstructor().newInstance();
        for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(Param.class)) {
                    String value = SMALL.get(f.getName());
                    assertNotNull(value, "no small size for @Param " + f.getName() + " of " + type.getSimpleName());
                    f.set(bench, f.getType() == int.class ? (Object) Integer.parseInt(value) : value);
                }
            }
        }
        for (Method m : type.getMethods()) {
            if (m.isAnnotationPresent(Setup.class)) {
                m.invoke(bench);
            }
        }
        String method = entry.getUsername().substring(entry.getUsername().lastIndexOf('.') + 1);
        Object result = type.getMethod(method).invoke(bench);

        assertTrue(result != null, entry.getUsername() + " returned nothing for JMH to consume");
    }
}
