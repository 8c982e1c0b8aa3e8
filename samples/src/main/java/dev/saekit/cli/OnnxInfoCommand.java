package dev.saekit.cli;

import dev.saekit.io.MalformedFileException;
import dev.saekit.onnx.ModelInfo;
import dev.saekit.onnx.OnnxInspector;
import dev.saekit.onnx.TensorSpec;
import dev.saekit.onnx.text.TextModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saekit onnx-info}: an ONNX model's inputs, outputs and the inner tensors that can be tapped. */
@Command(
        name = "onnx-info",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "List an ONNX model's inputs, outputs and every tensor its nodes compute (the names extraction can tap),",
            "with their types and shapes: as ONNX Runtime infers them, or as one run on zeros of --sample-shape gives them."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a file that cannot be read, or a model ONNX Runtime cannot load or run",
            "2:bad command line or option value"
        })
public final class OnnxInfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            paramLabel = "FILE|minilm",
            required = true,
            description = "The .onnx model file, or minilm (all-MiniLM-L6-v2, the text model saekit ships).")
    String model;

    @Option(
            names = "--sample-shape",
            paramLabel = "NAME=D,D,...",
            description =
                    "Run the model once on zeros of this shape for input NAME (one per input, float inputs only) and show "
                            + "the shape every tensor had, e.g. --sample-shape x=1,3,48,320.")
    List<String> sampleShapes = new ArrayList<>();

    @Option(
            names = "--filter",
            paramLabel = "TEXT",
            description = "Only list the inner tensors whose name or operator contains TEXT.")
    String filter;

    @Override
    public Integer call() {
        return Cli.run(spec, () -> {
            try {
                Path file = model.equals("minilm") ? TextModel.minilmFile() : Path.of(model);
                print(OnnxInspector.inspect(file, shapes()));
                return 0;
            } catch (java.nio.file.NoSuchFileException | MalformedFileException e) {
                throw e;
            } catch (IOException e) {
                throw new CliException(SaekitCli.EXIT_INPUT, "cannot read " + model + ": " + e.getMessage());
            }
        });
    }

    private Map<String, long[]> shapes() throws CliException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String s : sampleShapes) {
            int eq = s.lastIndexOf('=');
            Cli.require(
                    eq > 0 && eq < s.length() - 1,
                    "--sample-shape must be NAME=D,D,... (e.g. x=1,3,48,320), was '" + s + "'");
            long[] dims;
            try {
                dims = Arrays.stream(s.substring(eq + 1).split(","))
                        .map(String::strip)
                        .mapToLong(Long::parseLong)
                        .toArray();
            } catch (NumberFormatException e) {
                throw new CliException(
                        SaekitCli.EXIT_USAGE, "--sample-shape " + s + ": the dimensions must be whole numbers");
            }
            Cli.require(
                    Arrays.stream(dims).allMatch(d -> d > 0), "--sample-shape " + s + ": every dimension must be > 0");
            Cli.require(
                    shapes.put(s.substring(0, eq), dims) == null,
                    "--sample-shape names input '" + s.substring(0, eq) + "' twice");
        }
        return shapes;
    }

    private void print(ModelInfo info) {
        PrintWriter out = spec.commandLine().getOut();
        out.println("model     " + info.file());
        out.println("sha256    " + info.sha256());
        out.println("format    ONNX IR " + info.irVersion() + ", opsets " + String.join(", ", info.opsets())
                + (info.producer().isEmpty() ? "" : ", made by " + info.producer()));
        out.println();
        out.println("inputs");
        table(out, info.inputs().stream().map(t -> row("", t)).toList());
        out.println("outputs");
        table(out, info.outputs().stream().map(t -> row("", t)).toList());
        List<String[]> rows = info.innerTensors().stream()
                .filter(t -> filter == null
                        || t.spec().name().contains(filter)
                        || t.opType().contains(filter))
                .map(t -> row(t.opType(), t.spec()))
                .toList();
        out.printf(
                Locale.ROOT,
                "tappable tensors: %d%s, in graph order, with the operator that computes them; shapes %s%n",
                info.innerTensors().size(),
                filter == null ? "" : " (" + rows.size() + " contain '" + filter + "')",
                info.observed()
                        ? "of one run on zeros of " + String.join(" ", sampleShapes)
                        : "as ONNX Runtime infers them (? where it cannot; --sample-shape gives actual shapes)");
        table(out, rows);
        Map<String, String> friendly = TextModel.tapNames(
                info.innerTensors().stream().map(t -> t.spec().name()).collect(Collectors.toSet()));
        if (!friendly.isEmpty()) {
            out.println("friendly tap names of this BERT-style model (saekit harvest --tap NAME)");
            table(
                    out,
                    friendly.entrySet().stream()
                            .map(e -> new String[] {"", e.getKey(), e.getValue()})
                            .toList());
        }
    }

    private static String[] row(String op, TensorSpec t) {
        return new String[] {op, t.name(), t.type().toString(), t.shapeText()};
    }

    /** Left-aligned columns, two spaces apart; an empty first column is left out. */
    private static void table(PrintWriter out, List<String[]> rows) {
        int[] widths = new int[4];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder(" ");
            for (int i = widths[0] == 0 ? 1 : 0; i < r.length; i++) {
                line.append(' ').append(i < r.length - 1 ? String.format("%-" + widths[i] + "s ", r[i]) : r[i]);
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
