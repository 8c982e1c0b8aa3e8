package dev.saekit.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SocketRingTest {

    /** Runs {@code work} on each of {@code size} workers joined in a ring on loopback; their results by rank. */
    static <T> List<T> onRing(int size, Duration timeout, Function<SocketRing, T> work) throws Exception {
        List<SocketRing.Listener> listeners = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            SocketRing.Listener l = SocketRing.listen(InetAddress.getLoopbackAddress());
            listeners.add(l);
            addresses.add(l.address("127.0.0.1"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(size);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    try (SocketRing ring = SocketRing.join(listeners.get(rank), rank, addresses, timeout)) {
                        return work.apply(ring);
                    }
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static double[] values(int rank, int n) {
        Random random = new Random(100 + rank);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = random.nextGaussian() * Math.pow(10, random.nextInt(12) - 6);
        }
        return v;
    }

    /** The sum of chunk {@code c} is added in ring order from worker {@code c}: what every worker must hold. */
    private static double[] ringOrderSum(int size, int n) {
        double[][] all = new double[size][];
        for (int r = 0; r < size; r++) {
            all[r] = values(r, n);
        }
        double[] expected = new double[n];
        for (int c = 0; c < size; c++) {
            int from = (int) ((long) n * c / size);
            int to = (int) ((long) n * (c + 1) / size);
            for (int i = from; i < to; i++) {
                double s = all[c][i];
                for (int step = 1; step < size; step++) {
                    s = all[(c + step) % size][i] + s;
                }
                expected[i] = s;
            }
        }
        return expected;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void everyWorkerHoldsTheSameRingOrderSum(int size) throws Exception {
        for (int n : new int[] {1, 2, 7, 1000, 300_001}) {
            List<double[]> sums = onRing(size, Duration.ofSeconds(30), ring -> {
                double[] v = values(ring.rank(), n);
                ring.sum(v);
                return v;
            });
            double[] expected = ringOrderSum(size, n);
            for (double[] s : sums) {
                assertArrayEquals(expected, s, 0.0, "n=" + n); // bit for bit, on every worker
            }
        }
    }

    @Test
    void sumsFloatsAndSlicesAndScalarsInTurn() throws Exception {
        List<Object[]> out = onRing(3, Duration.ofSeconds(30), ring -> {
            float[] f = {ring.rank(), 1f, 2f * ring.rank(), 5f};
            ring.sum(f, 1, 2); // only [1, 3)
            double total = ring.sum(ring.rank() + 0.5);
            return new Object[] {f, total};
        });
        for (Object[] o : out) {
            assertArrayEquals(new float[] {((float[]) o[0])[0], 3f, 6f, 5f}, (float[]) o[0], 0f);
            assertEquals(4.5, (double) o[1], 0.0);
        }
        assertEquals(2f, ((float[]) out.get(2)[0])[0], 0f); // outside the slice: untouched
    }

    @Test
    void aLostWorkerIsOneClearFailureOnItsNeighbour() throws Exception {
        List<String> messages = onRing(2, Duration.ofSeconds(30), ring -> {
            if (ring.rank() == 1) {
                ring.close(); // worker 1 dies before the sum
                return "";
            }
            CollectiveException e = assertThrows(CollectiveException.class, () -> ring.sum(new double[100_000]));
            CollectiveException again = assertThrows(CollectiveException.class, () -> ring.sum(new double[1]));
            assertTrue(again.getMessage().contains("failed earlier"), again.getMessage());
            return e.getMessage();
        });
        String m = messages.get(0);
        assertTrue(m.contains("worker 1") && m.contains("resume it from its last checkpoint"), m);
    }

    @Test
    void aSilentWorkerTimesOut() throws Exception {
        List<String> messages = onRing(2, Duration.ofMillis(300), ring -> {
            if (ring.rank() == 1) {
                try {
                    Thread.sleep(1500); // alive but silent past the timeout
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "";
            }
            return assertThrows(CollectiveException.class, () -> ring.sum(new double[10]))
                    .getMessage();
        });
        assertTrue(messages.get(0).contains("no data from worker 1"), messages.get(0));
    }

    @Test
    void joiningChecksTheRankAndTheList() {
        SocketRing.Listener l = SocketRing.listen(InetAddress.getLoopbackAddress());
        assertThrows(
                IllegalArgumentException.class,
                () -> SocketRing.join(l, 2, List.of("a:1", "b:2"), Duration.ofSeconds(1)));
        assertThrows(
                IllegalArgumentException.class, () -> SocketRing.join(l, 0, List.of("a:1"), Duration.ofSeconds(1)));
        assertEquals(0, Collective.single().rank());
        double[] v = {1, 2};
        Collective.single().sum(v);
        assertArrayEquals(new double[] {1, 2}, v, 0.0);
    }
}
