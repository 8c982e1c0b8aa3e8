package dev.saekit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.io.DataFileInfo;
import dev.saekit.io.DataFormat;
import dev.saekit.io.DataLocation;
import dev.saekit.io.ElementType;
import dev.saekit.io.ValueStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code saekit data-info PATH [--name NAME] [--row-axes K]}: what a data file, or a directory or
 * glob of shards, holds, as one JSON object: format, stored dtype and shape, how it becomes the
 * matrix saekit trains on ({@code rows} x {@code cols}) and the mean, population standard
 * deviation, minimum and maximum of its values, in float64. The statistics come from one streaming
 * pass in bounded memory, whatever the size or compression of the data.
 */
@Command(
        name = "data-info",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Describe a data file (.npy, .npz, .safetensors, IDX or IDX .gz), or a directory or glob of such shards,",
            "as one JSON object: format, stored dtype and shape, the rows x cols matrix it becomes, and mean, std, min and max",
            "of its values (one streaming pass, in bounded memory)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a file that is malformed or cannot be read, or a path that is not a regular file",
            "2:bad command line, or --name missing or not in the file, or --row-axes more than the array has"
        })
public final class DataInfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "PATH",
            description =
                    "The data file (its format is found from its first bytes), or a directory or quoted glob of shards, or a harvest "
                            + "directory (its manifest.json lists the shards).")
    String path;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description =
                    "The array to describe in an .npz or .safetensors file (or in each shard) that holds several, or the tap of a "
                            + "harvest directory that holds several; an error lists them.")
    String name;

    @Option(
            names = "--row-axes",
            paramLabel = "K",
            defaultValue = "1",
            description =
                    "How many leading axes index rows; the others flatten into each row. Default: ${DEFAULT-VALUE}.")
    int rowAxes;

    @Override
    public Integer call() {
        return Cli.run(spec, () -> {
            Cli.require(rowAxes >= 1, "--row-axes must be >= 1, was " + rowAxes);
            ObjectNode json;
            try {
                DataLocation location = DataLocation.open(path, name, rowAxes);
                json = describe(location, location.statistics());
            } catch (IOException | RuntimeException e) {
                throw DataErrors.of(e, path, name != null);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(json));
            return 0;
        });
    }

    private ObjectNode describe(DataLocation location, ValueStats s) {
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("path", path);
        if (location.isSingleFile()) {
            DataFileInfo info = location.arrays().get(0);
            json.put("format", info.format().label());
            if (info.format().hasNames()) {
                json.put("name", info.name());
            }
            json.put("dtype", info.dtype().label());
            shape(json.putArray("shape"), info.shape());
        } else {
            json.put("format", "shards");
            json.put("files", location.arrays().size());
            ArrayNode formats = json.putArray("formats");
            location.formats().stream().map(DataFormat::label).forEach(formats::add);
            json.put(
                    "dtype",
                    location.dtypes().size() == 1
                            ? location.dtypes().iterator().next().label()
                            : "mixed");
            ArrayNode dtypes = json.putArray("dtypes");
            location.dtypes().stream().map(ElementType::label).forEach(dtypes::add);
        }
        json.put("row_axes", location.rowAxes());
        json.put("matrix", location.layoutText());
        json.put("rows", location.rows());
        json.put("cols", location.cols());
        json.put("count", s.count());
        json.put("non_finite", s.nonFinite());
        if (s.count() == 0) {
            json.putNull("mean").putNull("std").putNull("min").putNull("max");
        } else {
            json.put("mean", s.mean()).put("std", s.std()).put("min", s.min()).put("max", s.max());
        }
        if (!location.isSingleFile()) {
            ArrayNode shards = json.putArray("shards");
            for (DataFileInfo info : location.arrays()) {
                ObjectNode shard = shards.addObject();
                shard.put("path", info.path().toString());
                shard.put("format", info.format().label());
                if (info.name() != null) {
                    shard.put("name", info.name());
                }
                shard.put("dtype", info.dtype().label());
                shape(shard.putArray("shape"), info.shape());
                shard.put("rows", info.rows());
            }
        }
        return json;
    }

    private static void shape(ArrayNode array, long[] shape) {
        for (long d : shape) {
            array.add(d);
        }
    }
}
