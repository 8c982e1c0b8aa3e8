package dev.saekit.train;

import dev.saekit.data.Dataset;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.MemoryBudget;
import dev.saekit.tensor.Parameter;

/**
 * The memory a training run will need at its peak, in bytes, by part, so that a run too large for
 * the machine stops before its first step ({@link #check}) instead of being killed by the
 * kernel's out-of-memory killer hours later. Compared with the measured peak resident memory of
 * {@code saekit bench} in docs/performance.md.
 *
 * @param batch        rows per step (the batch size, at most the data's rows)
 * @param concepts     the model's concepts
 * @param dtype        the model's dtype
 * @param parameters   every parameter's value and gradient; for a buffer (running statistics) its
 *                     value and the trainer's saved copy
 * @param optimizer    Adam's two moments per trainable parameter
 * @param dictionary   the dictionary in use: its projected matrix in two alternating copies and the
 *                     gradient with respect to it, {@code 3 x concepts x input}
 * @param activations  one step's arrays: pre-codes, codes, the variant's sparsified codes (or
 *                     the ReLU's mask in a dense backward pass) and the gradients of codes and
 *                     pre-codes ({@code 5 x batch x concepts}); the input batch, the
 *                     reconstruction and its gradient ({@code 3 x batch x input})
 * @param data         what the data set keeps in memory ({@link Dataset#memoryBytes()})
 * @param overhead     the JVM with its heap, and ND4J's and OpenBLAS's native libraries and
 *                     scratch memory: {@link #OVERHEAD}
 */
public record MemoryEstimate(int batch, int concepts, DType dtype, long parameters, long optimizer, long dictionary,
                             long activations, long data, long overhead) {
    /** System property that turns the check before training off: {@code -Dsaekit.memory.check=false}. */
    public static final String CHECK_PROPERTY = "saekit.memory.check";
    /**
     * The fixed part, measured with {@code saekit bench}: a tiny model peaks at 130 MiB of resident
     * memory (the JVM, ND4J's and OpenBLAS's libraries); at the benchmark shapes the Java heap's
     * young generation, native scratch memory and temporaries waiting for the collector add roughly
     * 200 MiB more.
     */
    public static final long OVERHEAD = 320L << 20;

    /** The estimate of training {@code model} on {@code data} with {@code config}. */
    public static MemoryEstimate of(SparseAutoencoder model, Dataset data, TrainingConfig config) {
        int batch = (int) Math.max(1, Math.min(config.batchSize(), data.rows()));
        return of(model, batch, data.memoryBytes());
    }

    /** The estimate of training {@code model} on batches of {@code batch} rows, with {@code dataBytes} of data in memory. */
    public static MemoryEstimate of(SparseAutoencoder model, int batch, long dataBytes) {
        long width = model.dtype() == DType.FLOAT64 ? 8 : 4;
        long parameters = 0;
        long optimizer = 0;
        for (Parameter p : model.parameters()) {
            long bytes = p.value().length() * p.value().dataType().width();
            parameters += 2 * bytes;
            optimizer += p.isTrainable() ? 2 * bytes : 0;
        }
        long dictionary = 3 * width * model.nbConcepts() * model.inputDim();
        long activations = width * batch * (5L * model.nbConcepts() + 3L * model.inputDim());
        return new MemoryEstimate(batch, model.nbConcepts(), model.dtype(), parameters, optimizer, dictionary, activations,
                Math.max(0, dataBytes), OVERHEAD);
    }

    /** Every part added. */
    public long total() {
        return parameters + optimizer + dictionary + activations + data + overhead;
    }

    /**
     * Nothing when {@link #total()} fits within {@code budget}'s available memory (or when no
     * limit could be read), else an {@link InsufficientMemoryException} that names the estimate
     * by part, the limit and its source, and what to change.
     */
    public void check(MemoryBudget budget) {
        budget.available().ifPresent(limit -> {
            if (total() > limit.bytes()) {
                throw new InsufficientMemoryException(total(), limit.bytes(), "training needs about " + MemoryBudget.format(total())
                        + " (" + parts() + ") but " + limit + " is available; " + advice());
            }
        });
    }

    /** The trainer's check: against {@link MemoryBudget#system()}, unless {@value #CHECK_PROPERTY} is false. */
    static void checkBeforeTraining(SparseAutoencoder model, Dataset data, TrainingConfig config) {
        if (!"false".equalsIgnoreCase(System.getProperty(CHECK_PROPERTY, "true").strip())) {
            of(model, data, config).check(MemoryBudget.system());
        }
    }

    private String parts() {
        return "parameters and gradients " + MemoryBudget.format(parameters) + ", Adam's moments " + MemoryBudget.format(optimizer)
                + ", dictionary copies " + MemoryBudget.format(dictionary) + ", activations of a batch of " + batch + " rows x "
                + concepts + " concepts " + MemoryBudget.format(activations)
                + (data > 0 ? ", data in memory " + MemoryBudget.format(data) : "")
                + ", JVM and native libraries " + MemoryBudget.format(overhead);
    }

    private String advice() {
        return "use a smaller batch (activations grow with batch x concepts), fewer concepts"
                + (dtype == DType.FLOAT64 ? ", float32 instead of float64 (half the memory)" : "")
                + (data > activations ? ", streamed shards instead of data in memory" : "")
                + ", or give the process more memory (raise the limit named above; -D" + MemoryBudget.LIMIT_PROPERTY + "=SIZE replaces the detected limit; -D"
                + CHECK_PROPERTY + "=false skips this check)";
    }
}
