package dev.saekit.io;

import dev.saekit.tensor.Buffers;
import dev.saekit.tensor.DType;
import java.lang.ref.Cleaner;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The batches of one epoch of a sharded data set, assembled on a background thread while the
 * trainer computes on the current one (double buffering): the thread reads, converts and shuffles
 * rows into one of {@link #DEPTH} heap blocks of a batch each, the training thread copies a
 * finished block into its native batch array and hands the block back. The rows and their order
 * are the {@link Filler}'s alone, so they are the same as when it is called in the training thread.
 *
 * <p>A failure of the filler (a truncated file, an I/O error, a non-finite value) is queued after
 * the batches filled before it and thrown, as the same exception, by the {@link #next()} call that
 * would have read that batch in the training thread. The thread is a daemon and ends when the
 * epoch's last batch is filled, when the data set is closed ({@link #stopAll}), or when the
 * iterator is abandoned mid-epoch and collected (a {@link Cleaner} stops it); it is the only thread
 * that touches the filler's mapped windows, and it closes them itself on the way out.
 */
final class ReadAhead implements Iterator<INDArray> {
    /** Blocks of one batch each: one handed out or being copied while the next is filled. */
    static final int DEPTH = 2;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final Object CLOSED = new Object();

    /** One epoch's rows, a batch at a time; called from one thread at a time. */
    interface Filler extends AutoCloseable {
        /** Writes the next batch into the first rows of {@code block} and returns how many rows it has. */
        int fill(RowBlock block);

        /** Releases the mapped window and file of the reads. */
        @Override
        void close();
    }

    private record Filled(RowBlock block, int rows) {}

    private record Failure(Throwable cause) {}

    private final Worker worker;
    private final Buffers arrays;
    private final int cols;
    private final long rows;
    private final String description;
    private long delivered;
    private Failure failed;

    private ReadAhead(Worker worker, DType dtype, int cols, long rows, String description) {
        this.worker = worker;
        this.arrays = new Buffers(dtype);
        this.cols = cols;
        this.rows = rows;
        this.description = description;
        CLEANER.register(this, worker::stop); // the action holds the worker only, never this iterator
    }

    /**
     * Starts a thread that fills batches of at most {@code batchSize} rows from {@code filler} until
     * {@code rows} rows are filled; {@code running} holds it until it ends, for {@link #stopAll}.
     */
    static ReadAhead start(
            Filler filler, DType dtype, int batchSize, int cols, long rows, String description, Set<Worker> running) {
        Worker worker = new Worker(filler, rows, running);
        for (int i = 0; i < DEPTH; i++) {
            worker.free.add(new RowBlock(dtype, (int) Math.min(batchSize, rows), cols));
        }
        Thread thread = new Thread(worker, "saekit-read-ahead-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        worker.thread = thread;
        running.add(worker);
        thread.start();
        return new ReadAhead(worker, dtype, cols, rows, description);
    }

    /** The same batches filled in the calling thread, for a data set built without read-ahead. */
    static Iterator<INDArray> inThisThread(Filler filler, DType dtype, int batchSize, int cols, long rows) {
        RowBlock block = new RowBlock(dtype, (int) Math.min(batchSize, rows), cols);
        Buffers arrays = new Buffers(dtype);
        return new Iterator<>() {
            private long delivered;

            @Override
            public boolean hasNext() {
                return delivered < rows;
            }

            @Override
            public INDArray next() {
                if (delivered >= rows) {
                    throw new NoSuchElementException();
                }
                int n = filler.fill(block);
                delivered += n;
                if (delivered == rows) {
                    filler.close();
                }
                INDArray batch = arrays.get("batch", n, cols);
                block.copyTo(batch, n);
                return batch;
            }
        };
    }

    /** Stops every thread in {@code running} and waits for each to close its reads. */
    static void stopAll(Set<Worker> running) {
        List<Worker> workers = List.copyOf(running);
        for (Worker w : workers) {
            w.stop();
        }
        for (Worker w : workers) {
            try {
                w.thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public boolean hasNext() {
        return delivered < rows;
    }

    @Override
    public INDArray next() {
        if (delivered >= rows) {
            throw new NoSuchElementException();
        }
        if (failed != null) {
            throw rethrow(failed.cause());
        }
        Object item;
        try {
            item = worker.stopped ? CLOSED : worker.filled.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the next batch of " + description, e);
        }
        if (item instanceof Filled f) {
            INDArray batch = arrays.get("batch", f.rows(), cols);
            f.block().copyTo(batch, f.rows());
            worker.free.add(f.block());
            delivered += f.rows();
            return batch;
        }
        if (item instanceof Failure f) {
            failed = f;
            throw rethrow(f.cause());
        }
        throw new IllegalStateException(
                description + " was closed while its batches were being read; open it again to read more");
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(cause.getMessage(), cause); // a filler declares no checked exception
    }

    /** The thread's side: fills free blocks until the epoch is done, it fails, or it is stopped. */
    static final class Worker implements Runnable {
        private static final RowBlock STOP = new RowBlock(DType.FLOAT32, 0, 0);

        final BlockingQueue<RowBlock> free = new LinkedBlockingQueue<>();
        final BlockingQueue<Object> filled = new LinkedBlockingQueue<>();
        private final Filler filler;
        private final long rows;
        private final Set<Worker> running;
        private volatile boolean stopped;
        Thread thread;

        Worker(Filler filler, long rows, Set<Worker> running) {
            this.filler = filler;
            this.rows = rows;
            this.running = running;
        }

        void stop() {
            stopped = true;
            free.add(STOP);
        }

        @Override
        public void run() {
            try {
                for (long done = 0; done < rows; ) {
                    RowBlock block = free.take();
                    if (block == STOP) {
                        break;
                    }
                    int n = filler.fill(block);
                    filled.add(new Filled(block, n));
                    done += n;
                }
            } catch (InterruptedException e) { // nobody interrupts it: end as if stopped
            } catch (Throwable e) {
                filled.add(new Failure(e));
            } finally {
                filler.close();
                filled.add(CLOSED); // read only by a call past the last filled batch: after a stop
                running.remove(this);
            }
        }
    }
}
