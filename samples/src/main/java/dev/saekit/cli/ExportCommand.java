package dev.saekit.cli;

import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.DictionaryLearningFormat;
import dev.saekit.io.OvercompleteFormat;
import dev.saekit.io.SaeLensFormat;
import dev.saekit.io.SparsifyFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saekit export}: a saved model in a Python tool's format. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Write a saved model for a Python tool.",
            "saelens: a directory with cfg.json and sae_weights.safetensors (vanilla, topk, jumprelu; batchtopk as jumprelu;",
            "  prefix matryoshka in SAELens' matryoshka_batchtopk training format; vanilla (skip) and jumprelu transcoders).",
            "sparsify: a directory with cfg.json and sae.safetensors (topk; topk (skip) transcoders whose output is as wide as their input).",
            "dictionary-learning: a directory with config.json and ae.pt (topk as AutoEncoderTopK, batchtopk as BatchTopKSAE),",
            "  or config.json and model_final.pt (vanilla and batchtopk crosscoders, as the crosscoder fork's CrossCoder and BatchTopKCrossCoder).",
            "overcomplete: a state dict as .safetensors, loadable with load_state_dict after safetensors.torch.load_file."
        })
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            required = true,
            description =
                    "A checkpoint: the run directory of `train --out` (its model/), a checkpoint root or one step-N directory.")
    Path model;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            required = true,
            description = "saelens, sparsify, dictionary-learning or overcomplete.")
    String format;

    @Option(
            names = "--out",
            paramLabel = "PATH",
            required = true,
            description = "A directory (saelens, sparsify, dictionary-learning) or a .safetensors file (overcomplete).")
    Path out;

    @Override
    public Integer call() {
        return Cli.run(spec, () -> {
            String kind = format.toLowerCase(Locale.ROOT);
            Cli.require(
                    kind.equals("overcomplete") || LibraryDirectory.of(kind) != null,
                    "--format: unknown '" + format
                            + "'; accepted: saelens, sparsify, dictionary-learning, overcomplete");
            Checkpoint c = Checkpoints.load(model);
            INDArray mean = c.attachments().get(RunFiles.MEAN_ATTACHMENT);
            INDArray scaleAttachment = c.attachments().get(TrainingData.SCALE_ATTACHMENT);
            double scale = scaleAttachment == null ? 1.0 : scaleAttachment.getDouble(0);
            switch (kind) {
                case "saelens" -> SaeLensFormat.write(c.model(), out, mean, scale);
                case "sparsify" -> SparsifyFormat.write(c.model(), out, mean, scale);
                case "dictionary-learning" -> DictionaryLearningFormat.write(c.model(), out, mean, scale);
                default -> OvercompleteFormat.write(c.model(), out, mean, scale);
            }
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.println("wrote " + out + " (" + kind + ", "
                    + c.model().spec().variant().name() + ")");
            if (mean != null || scale != 1.0) {
                String what = (mean != null ? "centred" : "")
                        + (mean != null && scale != 1.0 ? " and " : "")
                        + (scale != 1.0 ? "scaled (x " + scale + ")" : "");
                stdout.println(
                        !kind.equals("overcomplete")
                                ? "the model was trained on " + what
                                        + " data: that is folded into the encoder, b_dec and the decoder, so the exported "
                                        + "SAE takes raw inputs and reconstructs them in their own space"
                                : "the model was trained on " + what
                                        + " data: that is folded into the encoder's first layer, so the "
                                        + "exported SAE's codes on raw inputs are saekit's; overcomplete's SAEs have no decoder bias, so "
                                        + "their reconstruction z D is in the " + what
                                        + " space (see data_mean and data_scale in "
                                        + c.dir().resolve("attachments.safetensors") + ")");
            }
            return 0;
        });
    }
}
