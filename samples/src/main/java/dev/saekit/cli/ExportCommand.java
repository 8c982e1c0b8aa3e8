package dev.saekit.cli;

import dev.saekit.io.Checkpoint;
import dev.saekit.io.Checkpoints;
import dev.saekit.io.OvercompleteFormat;
import dev.saekit.io.SaeLensFormat;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code saekit export}: a saved model in a Python tool's format. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a saved model for a Python tool.",
            "saelens: a directory with cfg.json and sae_weights.safetensors (vanilla, topk, jumprelu; batchtopk as jumprelu).",
            "overcomplete: a state dict as .safetensors, loadable with load_state_dict after safetensors.torch.load_file."})
public final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", required = true, description = "A checkpoint (the model directory of `train --out`).")
    Path model;

    @Option(names = "--format", paramLabel = "FORMAT", required = true, description = "saelens or overcomplete.")
    String format;

    @Option(names = "--out", paramLabel = "PATH", required = true,
            description = "A directory (saelens) or a .safetensors file (overcomplete).")
    Path out;

    @Override
    public Integer call() {
        return Cli.run(spec, () -> {
            Checkpoint c = Checkpoints.load(model);
            switch (format.toLowerCase(Locale.ROOT)) {
                case "saelens" -> SaeLensFormat.write(c.model(), out);
                case "overcomplete" -> OvercompleteFormat.write(c.model(), out);
                default -> throw new CliException(SaekitCli.EXIT_USAGE, "--format: unknown '" + format + "'; accepted: saelens, overcomplete");
            }
            spec.commandLine().getOut().println("wrote " + out + " (" + format.toLowerCase(Locale.ROOT) + ", " + c.model().variant() + ")");
            if (c.attachments().containsKey(RunFiles.MEAN_ATTACHMENT)) {
                spec.commandLine().getOut().println("note: the model was trained on centred data; subtract its mean ("
                        + RunFiles.MEAN_ATTACHMENT + " in " + c.dir() + "/attachments.safetensors) before encoding");
            }
            return 0;
        });
    }
}
