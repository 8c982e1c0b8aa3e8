package dev.saekit.parallel;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A {@link Collective} over TCP: each worker sends to the next ({@code rank + 1}) and receives
 * from the previous, and a sum is a ring all-reduce. The array is cut into {@code size} chunks; in
 * {@code size - 1} steps each chunk travels the ring once, every worker adding its own values to
 * what arrives (reduce-scatter), then the finished sums travel once more and are copied (all-gather).
 * Each worker sends and receives {@code 2 (size - 1) / size} of the array, whatever the worker count.
 *
 * <p>Chunk {@code c}'s sum is added up in ring order starting at worker {@code c}, by the workers
 * in turn, and then copied: the same bits on every worker, fixed by the worker count and the array
 * length alone.
 *
 * <p>Setting up: every worker first {@linkplain #listen opens its listening socket}, the workers
 * exchange the addresses once (Spark's barrier {@code allGather} in saekit-spark), then each
 * {@linkplain #join joins} with its rank and the list. A worker that dies closes its connections
 * and its neighbours' next read fails at once; one that hangs is noticed after the timeout. Either
 * way every sum from then on throws a {@link CollectiveException} naming the worker.
 */
public final class SocketRing implements Collective, AutoCloseable {
    private static final int BLOCK_BYTES = 1 << 20;

    private final int rank;
    private final int size;
    private final List<String> addresses;
    private final Socket toNext;
    private final Socket fromPrevious;
    private final DataOutputStream out;
    private final DataInputStream in;
    private final ExecutorService sender;
    private final byte[] receiveBlock = new byte[BLOCK_BYTES];
    private final byte[] sendBlock = new byte[BLOCK_BYTES];
    private long bytesSent;
    private long nanosInSums;
    private volatile boolean broken;

    private SocketRing(int rank, List<String> addresses, Socket toNext, Socket fromPrevious) throws IOException {
        this.rank = rank;
        this.size = addresses.size();
        this.addresses = List.copyOf(addresses);
        this.toNext = toNext;
        this.fromPrevious = fromPrevious;
        this.out = new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 16));
        this.in = new DataInputStream(new BufferedInputStream(fromPrevious.getInputStream(), 1 << 16));
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "saekit-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /** A worker's listening socket, open before the addresses are exchanged. */
    public static final class Listener implements AutoCloseable {
        private final ServerSocket server;

        private Listener(ServerSocket server) {
            this.server = server;
        }

        /** The address the other workers connect to, {@code host:port}, with {@code host} as they reach this machine. */
        public String address(String host) {
            return host + ":" + server.getLocalPort();
        }

        /** The port the socket listens on. */
        public int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /**
     * Opens this worker's listening socket on {@code bind} (null: every interface), on a port the
     * system chooses.
     */
    public static Listener listen(InetAddress bind) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(bind, 0), 16);
            return new Listener(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a listening socket for the all-reduce on " + bind, e);
        }
    }

    /**
     * Joins the ring as worker {@code rank} of {@code addresses.size()}: connects to the next worker's
     * address and accepts the previous worker's connection on {@code own} (which is then closed). Every
     * read waits at most {@code timeout} for a neighbour.
     */
    public static SocketRing join(Listener own, int rank, List<String> addresses, Duration timeout) {
        int size = addresses.size();
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank must be in 0.." + (size - 1) + ", was " + rank);
        }
        if (size == 1) {
            throw new IllegalArgumentException("a ring needs at least two workers; one alone uses Collective.single()");
        }
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        int next = (rank + 1) % size;
        int previous = (rank + size - 1) % size;
        Socket toNext = null;
        try (Listener listener = own) {
            toNext = connect(addresses.get(next), timeoutMillis);
            DataOutputStream hello = new DataOutputStream(toNext.getOutputStream());
            hello.writeInt(rank);
            hello.writeInt(size);
            hello.flush();
            listener.server.setSoTimeout(timeoutMillis);
            Socket fromPrevious = listener.server.accept();
            fromPrevious.setSoTimeout(timeoutMillis);
            fromPrevious.setTcpNoDelay(true);
            DataInputStream greeting = new DataInputStream(fromPrevious.getInputStream());
            int theirRank = greeting.readInt();
            int theirSize = greeting.readInt();
            if (theirRank != previous || theirSize != size) {
                fromPrevious.close();
                throw new CollectiveException("worker " + rank + " expected worker " + previous + " of " + size
                        + " to connect, but worker " + theirRank + " of " + theirSize + " did: the workers were given"
                        + " different address lists");
            }
            return new SocketRing(rank, addresses, toNext, fromPrevious);
        } catch (SocketTimeoutException e) {
            closeQuietly(toNext);
            throw new CollectiveException(
                    "worker " + rank + " waited " + timeout.toSeconds() + " s for worker " + previous + " ("
                            + addresses.get(previous) + ") to connect",
                    e);
        } catch (IOException e) {
            closeQuietly(toNext);
            throw new CollectiveException(
                    "worker " + rank + " could not join the all-reduce ring of " + size + " workers: " + e.getMessage(),
                    e);
        }
    }

    private static Socket connect(String address, int timeoutMillis) throws IOException {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("a worker address must be host:port, was '" + address + "'");
        }
        String host = address.substring(0, colon);
        int port = Integer.parseInt(address.substring(colon + 1));
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(timeoutMillis);
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        return socket;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    /** Bytes this worker has sent in sums so far. */
    public long bytesSent() {
        return bytesSent;
    }

    /** Seconds this worker has spent in sums so far, waiting for its neighbours included. */
    public double secondsInSums() {
        return nanosInSums / 1e9;
    }

    @Override
    public void sum(double[] values, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, values.length);
        run(new Doubles(values), offset, length);
    }

    @Override
    public void sum(float[] values, int offset, int length) {
        java.util.Objects.checkFromIndexSize(offset, length, values.length);
        run(new Floats(values), offset, length);
    }

    private void run(Values v, int offset, int length) {
        if (broken) {
            throw new CollectiveException(
                    "the all-reduce ring of worker " + rank + " failed earlier: the run cannot go on");
        }
        long t0 = System.nanoTime();
        try {
            for (int s = 0; s < size - 1; s++) { // reduce-scatter: add what arrives to our own
                exchange(v, offset, length, Math.floorMod(rank - s, size), Math.floorMod(rank - s - 1, size), true);
            }
            for (int s = 0; s < size - 1; s++) { // all-gather: the finished sums travel on
                exchange(v, offset, length, Math.floorMod(rank + 1 - s, size), Math.floorMod(rank - s, size), false);
            }
        } catch (IOException e) {
            broken = true;
            throw failure(e);
        } finally {
            nanosInSums += System.nanoTime() - t0;
        }
    }

    private CollectiveException failure(Throwable e) {
        int previous = (rank + size - 1) % size;
        int next = (rank + 1) % size;
        String what = e instanceof SocketTimeoutException
                ? "no data from worker " + previous + " (" + addresses.get(previous) + ") for " + safeTimeout() + " ms"
                : e instanceof EOFException
                        ? "worker " + previous + " (" + addresses.get(previous) + ") closed its connection"
                        : "the connection between worker " + previous + ", worker " + rank + " and worker " + next
                                + " failed (" + e + ")";
        return new CollectiveException(
                "all-reduce failed on worker " + rank + " of " + size + ": " + what
                        + "; a worker was probably lost, and the run stops (resume it from its last checkpoint)",
                e);
    }

    private int safeTimeout() {
        try {
            return fromPrevious.getSoTimeout();
        } catch (IOException e) {
            return -1;
        }
    }

    /** Sends chunk {@code send} to the next worker while receiving chunk {@code receive} from the previous. */
    private void exchange(Values v, int offset, int length, int send, int receive, boolean add) throws IOException {
        int sendFrom = offset + chunkStart(length, send);
        int sendTo = offset + chunkStart(length, send + 1);
        Future<?> sending = sender.submit(() -> {
            write(v, sendFrom, sendTo);
            return null;
        });
        int from = offset + chunkStart(length, receive);
        int to = offset + chunkStart(length, receive + 1);
        IOException readFailure = null;
        try {
            read(v, from, to, add);
        } catch (IOException e) {
            readFailure = e;
        }
        try {
            sending.get();
        } catch (ExecutionException e) {
            if (readFailure == null) {
                Throwable cause = e.getCause();
                throw cause instanceof IOException io ? io : new IOException(cause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending", e);
        }
        if (readFailure != null) {
            throw readFailure;
        }
    }

    private int chunkStart(int length, int chunk) {
        return (int) ((long) length * chunk / size);
    }

    private void write(Values v, int from, int to) throws IOException {
        int per = BLOCK_BYTES / v.bytes();
        ByteBuffer buf = ByteBuffer.wrap(sendBlock).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i += per) {
            int n = Math.min(per, to - i);
            buf.clear();
            v.put(buf, i, n);
            out.write(sendBlock, 0, n * v.bytes());
            bytesSent += (long) n * v.bytes();
        }
        out.flush();
    }

    private void read(Values v, int from, int to, boolean add) throws IOException {
        int per = BLOCK_BYTES / v.bytes();
        ByteBuffer buf = ByteBuffer.wrap(receiveBlock).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i += per) {
            int n = Math.min(per, to - i);
            in.readFully(receiveBlock, 0, n * v.bytes());
            buf.clear();
            v.take(buf, i, n, add);
        }
    }

    /** The array being summed, as the ring reads and writes it. */
    private interface Values {
        int bytes();

        void put(ByteBuffer into, int from, int n);

        void take(ByteBuffer from, int at, int n, boolean add);
    }

    private record Doubles(double[] a) implements Values {
        @Override
        public int bytes() {
            return Double.BYTES;
        }

        @Override
        public void put(ByteBuffer into, int from, int n) {
            into.asDoubleBuffer().put(a, from, n);
        }

        @Override
        public void take(ByteBuffer from, int at, int n, boolean add) {
            java.nio.DoubleBuffer d = from.asDoubleBuffer();
            if (add) {
                for (int i = 0; i < n; i++) {
                    a[at + i] = d.get(i) + a[at + i];
                }
            } else {
                d.get(a, at, n);
            }
        }
    }

    private record Floats(float[] a) implements Values {
        @Override
        public int bytes() {
            return Float.BYTES;
        }

        @Override
        public void put(ByteBuffer into, int from, int n) {
            into.asFloatBuffer().put(a, from, n);
        }

        @Override
        public void take(ByteBuffer from, int at, int n, boolean add) {
            java.nio.FloatBuffer f = from.asFloatBuffer();
            if (add) {
                for (int i = 0; i < n; i++) {
                    a[at + i] = f.get(i) + a[at + i];
                }
            } else {
                f.get(a, at, n);
            }
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
        closeQuietly(toNext);
        closeQuietly(fromPrevious);
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing after a failure: the failure is what is reported
            }
        }
    }

    @Override
    public String toString() {
        return "ring all-reduce, worker " + rank + " of " + size;
    }
}
