package dev.saekit.train;

import dev.saekit.data.Dataset;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.ParameterShape;
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
public record MemoryEstimate(
        int batch,
        int concepts,
        DType dtype,
        long parameters,
        long optimizer,
        long dictionary,
        long activations,
        long data,
        long overhead) {
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
        return of(model, batch, data.memoryBytes(batch));
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
        long dictionary = 3 * width * model.nbConcepts() * model.outputDim();
        long activations = width * batch * (5L * model.nbConcepts() + 3L * model.rowWidth());
        return new MemoryEstimate(
                batch,
                model.nbConcepts(),
                model.dtype(),
                parameters,
                optimizer,
                dictionary,
                activations,
                Math.max(0, dataBytes),
                OVERHEAD);
    }

    /**
     * The estimate of training a model of {@code spec} on batches of {@code batch} rows, with
     * {@code dataBytes} of data in memory, from the spec's {@linkplain ModelSpec#parameterShapes()
     * shapes} alone: nothing is allocated, so a run too large is refused before its model exists.
     * Sizes saturate instead of overflowing.
     */
    public static MemoryEstimate of(ModelSpec spec, long batch, long dataBytes) {
        long width = spec.sae().dtype() == DType.FLOAT64 ? 8 : 4;
        long parameters = 0;
        long optimizer = 0;
        for (ParameterShape p : spec.parameterShapes()) {
            parameters = add(parameters, times(2, p.bytes()));
            optimizer = add(optimizer, p.trainable() ? times(2, p.bytes()) : 0);
        }
        long c = spec.sae().nbConcepts();
        long dictionary = times(times(3 * width, c), spec.outputDim());
        long activations = times(times(width, batch), add(times(5, c), times(3, spec.rowWidth())));
        return new MemoryEstimate(
                (int) Math.min(batch, Integer.MAX_VALUE),
                spec.sae().nbConcepts(),
                spec.sae().dtype(),
                parameters,
                optimizer,
                dictionary,
                activations,
                Math.max(0, dataBytes),
                OVERHEAD);
    }

    /** The most bytes one array may have: saekit's kernels read arrays through one {@link java.nio.ByteBuffer}. */
    public static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE;

    /**
     * Refuses, before anything is allocated, a run whose model or step would need an array larger
     * than {@link #MAX_ARRAY_BYTES}: a parameter (the dictionary {@code [concepts, input]}, ...) or one
     * step's {@code [batch, concepts]} codes. The message names the array, its size and the largest
     * count that fits.
     */
    public static void checkArraySizes(ModelSpec spec, long batch) {
        long w = spec.sae().dtype() == DType.FLOAT64 ? 8 : 4;
        for (ParameterShape p : spec.parameterShapes()) {
            if (p.bytes() > MAX_ARRAY_BYTES) {
                long[] shape = p.shape();
                long others = p.elements() / Math.max(1, shape[0]);
                throw new IllegalArgumentException("the model's " + p.name() + " " + java.util.Arrays.toString(shape)
                        + " "
                        + spec.sae().dtype() + " would be " + MemoryBudget.format(p.bytes()) + ", more than the "
                        + MemoryBudget.format(MAX_ARRAY_BYTES) + " one array may hold; at most "
                        + MAX_ARRAY_BYTES / (others * p.elementBytes())
                        + " along its first axis fit: use fewer concepts"
                        + (spec.sae().dtype() == DType.FLOAT64 ? ", or float32" : ""));
            }
        }
        long c = spec.sae().nbConcepts();
        long perRow = times(c, w);
        if (times(batch, perRow) > MAX_ARRAY_BYTES) {
            throw new IllegalArgumentException(
                    "one step's codes [" + batch + ", " + c + "] " + spec.sae().dtype() + " would be "
                            + MemoryBudget.format(times(batch, perRow)) + ", more than the "
                            + MemoryBudget.format(MAX_ARRAY_BYTES)
                            + " one array may hold: use a batch of at most " + MAX_ARRAY_BYTES / perRow + " rows");
        }
    }

    private static long times(long a, long b) {
        return a != 0 && Math.abs(b) > Long.MAX_VALUE / Math.abs(a) ? Long.MAX_VALUE : a * b;
    }

    private static long add(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }

    /** Every part added (saturating). */
    public long total() {
        return add(add(add(add(add(parameters, optimizer), dictionary), activations), data), overhead);
    }

    /**
     * Nothing when {@link #total()} fits within {@code budget}'s available memory (or when no
     * limit could be read), else an {@link InsufficientMemoryException} that names the estimate
     * by part, the limit and its source, and what to change.
     */
    public void check(MemoryBudget budget) {
        budget.available().ifPresent(limit -> {
            if (total() > limit.bytes()) {
                throw new InsufficientMemoryException(
                        total(),
                        limit.bytes(),
                        "training needs about " + MemoryBudget.format(total()) + " (" + parts() + ") but " + limit
                                + " is available; " + advice());
            }
        });
    }

    /**
     * What a command checks before it builds a model of {@code spec} to train on batches of
     * {@code batch} rows with {@code dataBytes} in memory: {@link #checkArraySizes} (an
     * {@link IllegalArgumentException}), then the estimate against {@link MemoryBudget#system()} (an
     * {@link InsufficientMemoryException}) unless {@value #CHECK_PROPERTY} is false.
     */
    public static void checkBeforeBuilding(ModelSpec spec, long batch, long dataBytes) {
        checkArraySizes(spec, batch);
        if (checking()) {
            of(spec, batch, dataBytes).check(MemoryBudget.system());
        }
    }

    private static boolean checking() {
        return !"false"
                .equalsIgnoreCase(System.getProperty(CHECK_PROPERTY, "true").strip());
    }

    /** The trainer's check: against {@link MemoryBudget#system()}, unless {@value #CHECK_PROPERTY} is false. */
    static void checkBeforeTraining(SparseAutoencoder model, Dataset data, TrainingConfig config) {
        if (checking()) {
            of(model, data, config).check(MemoryBudget.system());
        }
    }

    private String parts() {
        return "parameters and gradients " + MemoryBudget.format(parameters) + ", Adam's moments "
                + MemoryBudget.format(optimizer)
                + ", dictionary copies " + MemoryBudget.format(dictionary) + ", activations of a batch of " + batch
                + " rows x "
                + concepts + " concepts " + MemoryBudget.format(activations)
                + (data > 0 ? ", data in memory " + MemoryBudget.format(data) : "")
                + ", JVM and native libraries " + MemoryBudget.format(overhead);
    }

    private String advice() {
        return "use a smaller batch (activations grow with batch x concepts), fewer concepts"
                + (dtype == DType.FLOAT64 ? ", float32 instead of float64 (half the memory)" : "")
                + (data > activations ? ", streamed shards instead of data in memory" : "")
                + ", or give the process more memory (raise the limit named above; -D" + MemoryBudget.LIMIT_PROPERTY
                + "=SIZE replaces the detected limit; -D"
                + CHECK_PROPERTY + "=false skips this check)";
    }
}
