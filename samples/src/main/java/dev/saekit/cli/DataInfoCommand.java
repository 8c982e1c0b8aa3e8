package dev.saekit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.io.DataFileInfo;
import dev.saekit.io.DataFiles;
import dev.saekit.io.DataMatrix;
import dev.saekit.io.MalformedFileException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code saekit data-info FILE [--name NAME]}: what a data file holds, as one JSON object: its
 * format, stored dtype and shape, the matrix saekit trains on ({@code rows} x {@code cols}) and
 * the mean, population standard deviation, minimum and maximum of its values, computed in float64.
 */
@Command(name = "data-info", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Describe a data file (.npy, .npz, .safetensors, IDX or IDX .gz) as one JSON object:",
            "format, stored dtype and shape, the rows x cols matrix it becomes, and mean, std, min and max of its values."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a file that is malformed or cannot be read",
            "2:bad command line, or --name missing or not in the file"})
public final class DataInfoCommand implements Callable<Integer> {
    /** Values summed per block, so a float32 matrix is never copied whole to float64. */
    private static final int BLOCK = 1 << 16;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The data file; its format is found from its first bytes.")
    Path file;

    @Option(names = "--name", paramLabel = "NAME",
            description = "The array to describe in an .npz or .safetensors file that holds several; an error lists them.")
    String name;

    @Override
    public Integer call() {
        return Cli.run(spec, () -> {
            DataMatrix data = read();
            PrintWriter out = spec.commandLine().getOut();
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(describe(data)));
            return 0;
        });
    }

    private DataMatrix read() throws CliException {
        try {
            return DataFiles.read(file, name);
        } catch (NoSuchFileException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, "file not found: " + e.getFile());
        } catch (AccessDeniedException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, "cannot read " + e.getFile() + ": permission denied");
        } catch (MalformedFileException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, e.getMessage());
        } catch (IOException e) {
            throw new CliException(SaekitCli.EXIT_INPUT, "cannot read " + file + ": " + e);
        } catch (IllegalArgumentException e) { // the name: missing where several arrays exist, unknown, or superfluous
            throw new CliException(SaekitCli.EXIT_USAGE, e.getMessage() + (name == null ? " (use --name NAME)" : ""));
        }
    }

    private static ObjectNode describe(DataMatrix data) {
        DataFileInfo info = data.info();
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("path", info.path().toString());
        json.put("format", info.format().label());
        if (info.format().hasNames()) {
            json.put("name", info.name());
        }
        json.put("dtype", info.dtype().label());
        ArrayNode shape = json.putArray("shape");
        for (long d : info.shape()) {
            shape.add(d);
        }
        json.put("rows", info.rows());
        json.put("cols", info.cols());
        Stats s = Stats.of(data.matrix());
        json.put("count", s.count());
        json.put("non_finite", s.nonFinite());
        if (s.count() == 0) {
            json.putNull("mean").putNull("std").putNull("min").putNull("max");
        } else {
            json.put("mean", s.mean()).put("std", s.std()).put("min", s.min()).put("max", s.max());
        }
        return json;
    }

    /**
     * Statistics of every value, in float64: the mean from a compensated (Neumaier) sum, the
     * population standard deviation from a second pass over the deviations. NaN or an infinity
     * makes them NaN or infinite, as NumPy's would be; {@code nonFinite} counts such values.
     */
    record Stats(long count, long nonFinite, double mean, double std, double min, double max) {

        static Stats of(INDArray matrix) {
            long n = matrix.length();
            if (n == 0) {
                return new Stats(0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            INDArray flat = matrix.ordering() == 'c' && matrix.offset() == 0 && matrix.data().length() == n ? matrix : matrix.dup('c');
            DataBuffer values = flat.data();
            double sum = 0;
            double compensation = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            long nonFinite = 0;
            for (long from = 0; from < n; from += BLOCK) {
                for (double x : values.getDoublesAt(from, (int) Math.min(BLOCK, n - from))) {
                    double t = sum + x;
                    compensation += Math.abs(sum) >= Math.abs(x) ? (sum - t) + x : (x - t) + sum;
                    sum = t;
                    min = x < min || Double.isNaN(x) ? x : min;
                    max = x > max || Double.isNaN(x) ? x : max;
                    nonFinite += Double.isFinite(x) ? 0 : 1;
                }
            }
            double mean = (Double.isFinite(sum) ? sum + compensation : sum) / n;
            double squares = 0;
            for (long from = 0; from < n; from += BLOCK) {
                for (double x : values.getDoublesAt(from, (int) Math.min(BLOCK, n - from))) {
                    squares += (x - mean) * (x - mean);
                }
            }
            return new Stats(n, nonFinite, mean, Math.sqrt(squares / n), min, max);
        }
    }
}
