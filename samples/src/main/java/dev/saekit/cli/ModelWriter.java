package dev.saekit.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.io.Npy;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a trained model as a directory: {@code config.json} (the model's and the training's
 * configuration) and one {@code .npy} per parameter, named by its state-dict name (for example
 * {@code encoder.final_block.0.weight.npy}), loadable with {@code numpy.load}. With centred data,
 * {@code data_mean.npy} holds the mean row to subtract from inputs before encoding.
 *
 * <p>This is a stop-gap: the proper checkpoint format ({@code config.json} +
 * {@code weights.safetensors} with a format version) comes later in {@code dev.saekit.io}.
 */
final class ModelWriter {
    static final String MEAN_FILE = "data_mean.npy";

    private ModelWriter() {
    }

    static void write(Path dir, SparseAutoencoder model, TrainingConfig training, INDArray mean) throws IOException {
        Files.createDirectories(dir);
        ObjectNode config = ConfigJson.MAPPER.createObjectNode();
        config.put("format", "saekit-npy-directory");
        config.put("format_version", 0);
        config.put("note", "provisional layout; a versioned safetensors checkpoint will replace it");
        config.put("variant", model.variant());
        config.set("sae", ConfigJson.sae(model.config()).put("variant", model.variant()).put("description", model.toString()));
        config.set("training", ConfigJson.training(training));
        ObjectNode input = config.putObject("input");
        input.put("centred", mean != null);
        if (mean != null) {
            input.put("mean_file", MEAN_FILE);
            Npy.write(dir.resolve(MEAN_FILE), mean);
        }
        ArrayNode params = config.putArray("parameters");
        for (Parameter p : model.parameters()) {
            String file = p.name() + ".npy";
            Npy.write(dir.resolve(file), p.value());
            ObjectNode entry = params.addObject();
            entry.put("name", p.name());
            entry.put("file", file);
            ArrayNode shape = entry.putArray("shape");
            for (long s : p.shape()) {
                shape.add(s);
            }
            entry.put("trainable", p.isTrainable());
        }
        ConfigJson.write(dir.resolve("config.json"), config);
    }
}
