package dev.saekit.cli;

import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.DataFiles;
import dev.saekit.io.DataMatrix;
import dev.saekit.io.Npy;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Tensors;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saekit encode}: the codes of a saved model for every row of a data file, as {@code .npy}. */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Encode a data file with a saved model and write its codes [rows, concepts] as .npy (float32).")
public final class EncodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true,
            description = "A checkpoint: the model directory of `train --out`, a checkpoint root, or one step-N directory.")
    Path model;

    @Option(names = "--data", paramLabel = "FILE", required = true,
            description = "A .npy, .npz, .safetensors or IDX file whose rows have the model's input width.")
    Path data;

    @Option(names = "--name", paramLabel = "NAME", description = "The array to read from an .npz or .safetensors file with several.")
    String name;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the codes (.npy).")
    Path out;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "1024", description = "Rows encoded at once. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--[no-]center", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Subtract the training data's mean saved with the model (if it was centred). Default: ${DEFAULT-VALUE}.")
    boolean center;

    @Override
    public Integer call() {
        return Cli.run(spec, () -> {
            Cli.require(batchSize > 0, "--batch-size must be > 0, was " + batchSize);
            Checkpoint checkpoint = Checkpoints.load(model);
            SparseAutoencoder sae = checkpoint.model();
            DataMatrix matrix = DataFiles.read(data, name);
            INDArray x = Tensors.copy(matrix.matrix(), sae.dtype());
            if (x.columns() != sae.inputDim()) {
                throw new CliException(SaekitCli.EXIT_INPUT, data + " has rows of width " + x.columns() + " (shape "
                        + java.util.Arrays.toString(matrix.matrix().shape()) + ") but the model expects width " + sae.inputDim());
            }
            INDArray mean = checkpoint.attachments().get(RunFiles.MEAN_ATTACHMENT);
            if (center && mean != null) {
                x.subiRowVector(Tensors.copy(mean, sae.dtype()));
            }
            sae.eval();
            INDArray codes = Tensors.zeros(dev.saekit.tensor.DType.FLOAT32, x.rows(), sae.nbConcepts());
            for (long from = 0; from < x.rows(); from += batchSize) {
                long to = Math.min(x.rows(), from + batchSize);
                INDArray batch = x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup('c');
                codes.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).assign(sae.forward(batch).codes());
            }
            Npy.write(out, codes);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(java.util.Locale.ROOT, "wrote %s: %d rows x %d concepts (%s, %.2f active per row)%n", out, codes.rows(),
                    codes.columns(), sae.variant(), dev.saekit.metrics.Metrics.l0PerSample(codes));
            return 0;
        });
    }
}
