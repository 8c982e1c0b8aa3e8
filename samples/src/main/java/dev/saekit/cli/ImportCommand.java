package dev.saekit.cli;

import dev.saekit.io.Checkpoints;
import dev.saekit.io.DictionaryLearningFormat;
import dev.saekit.io.OvercompleteFormat;
import dev.saekit.io.SaeLensFormat;
import dev.saekit.io.SparsifyFormat;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.VariantKind;
import dev.saekit.model.VariantSpec;
import dev.saekit.tensor.DType;
import dev.saekit.train.TrainingProgress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saekit import}: a Python tool's SAE as a saekit checkpoint. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Turn a SAELens, sparsify or dictionary_learning directory, or an overcomplete state dict, into a saekit checkpoint.",
            "Transcoders (sparsify, SAELens) and crosscoders (dictionary_learning's crosscoder fork) are read as such.",
            "An overcomplete state dict does not record its variant: give --variant (and --k, ...) as for train."
        })
public final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            required = true,
            description = "saelens, sparsify, dictionary-learning or overcomplete.")
    String format;

    @Option(
            names = "--from",
            paramLabel = "PATH",
            required = true,
            description =
                    "A SAELens directory (cfg.json, sae_weights.safetensors), a sparsify directory (cfg.json, sae.safetensors), "
                            + "a dictionary_learning directory (config.json, ae.pt or a crosscoder's model_final.pt) or an overcomplete state dict (.safetensors).")
    Path from;

    @Option(
            names = "--out",
            paramLabel = "DIR",
            required = true,
            description = "The checkpoint to write (usable with encode and export).")
    Path out;

    @Option(
            names = "--dtype",
            paramLabel = "TYPE",
            defaultValue = "float32",
            description = "float32 or float64. Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(
            names = "--input",
            paramLabel = "N",
            description = "overcomplete: input width (default: read from the weights).")
    Integer input;

    @Option(
            names = "--encoder",
            paramLabel = "KIND",
            defaultValue = "linear",
            description =
                    "overcomplete: the encoder the state dict holds: linear, mlp_ln_1, mlp_ln_3, mlp_bn_1 or mlp_bn_3 "
                            + "(mp and omp have none). Default: ${DEFAULT-VALUE}.")
    String encoder;

    @Mixin
    VariantOptions variant;

    @Override
    public Integer call() {
        return Cli.run(spec, () -> {
            DType type = Cli.parse("--dtype", dtype, DType::parse);
            String kind = format.toLowerCase(Locale.ROOT);
            LibraryDirectory directory = LibraryDirectory.of(kind);
            if (directory != null) {
                directory.requireFiles(from);
            }
            SparseAutoencoder model = switch (kind) {
                case "saelens" -> SaeLensFormat.read(from, type);
                case "sparsify" -> SparsifyFormat.read(from, type);
                case "dictionary-learning" -> DictionaryLearningFormat.read(from, type);
                case "overcomplete" -> OvercompleteFormat.read(from, overcompleteSpec(type));
                default ->
                    throw new CliException(
                            SaekitCli.EXIT_USAGE,
                            "--format: unknown '" + format + "'; accepted: saelens, sparsify, dictionary-learning, "
                                    + "overcomplete");
            };
            Path dir = Checkpoints.save(
                    out,
                    Checkpoints.State.builder(model, TrainingProgress.start())
                            .data(new com.fasterxml.jackson.databind.ObjectMapper()
                                    .createObjectNode()
                                    .put("imported_from", from.toString())
                                    .put("format", format.toLowerCase(Locale.ROOT)))
                            .build(),
                    1);
            spec.commandLine().getOut().println("wrote " + dir + ": " + model);
            return 0;
        });
    }

    /** The spec of an overcomplete state dict: its shapes from the weights, its variant from the options. */
    private ModelSpec overcompleteSpec(DType type) throws java.io.IOException, CliException {
        var header = dev.saekit.io.Safetensors.header(from);
        var dict = header.tensors().get("dictionary._weights");
        if (dict == null || dict.shape().length != 2) {
            throw new CliException(
                    SaekitCli.EXIT_INPUT,
                    from + " has no 2-d 'dictionary._weights': not an overcomplete SAE state dict");
        }
        int concepts = (int) dict.shape()[0];
        int width = input != null ? input : (int) dict.shape()[1];
        VariantKind v = variant.kind();
        dev.saekit.encoder.EncoderKind kind = Cli.parse("--encoder", encoder, dev.saekit.encoder.EncoderKind::parse);
        Cli.require(
                kind != dev.saekit.encoder.EncoderKind.IDENTITY,
                "--encoder identity is what mp and omp use by " + "themselves; give linear or an mlp_* kind");
        SaeConfig sae = SaeConfig.of(width, concepts).withDType(type).withEncoder(kind);
        VariantSpec vs = variant.spec(v, sae);
        Cli.require(
                vs.usesEncoder() || !spec.commandLine().getParseResult().hasMatchedOption("--encoder"),
                "--encoder does not apply to --variant " + v.name() + ", which encodes with the dictionary itself");
        variant.check(v, vs, spec);
        // overcomplete's state dicts hold one dictionary and its encoder; the nested variants are not among its models
        Cli.require(!vs.nested(), "--variant " + v.name() + " has no overcomplete state dict to import");
        return ModelFactory.spec(v, variant, sae);
    }
}
