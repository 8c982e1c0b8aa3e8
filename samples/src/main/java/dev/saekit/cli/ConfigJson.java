package dev.saekit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.files.AtomicFiles;
import dev.saekit.io.TrainingConfigJson;
import dev.saekit.model.SaeConfig;
import dev.saekit.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Path;

/** The JSON forms of a model's and a run's configuration (snake_case keys), and atomic JSON writing. */
final class ConfigJson {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ConfigJson() {}

    static ObjectNode sae(SaeConfig c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("input_dim", c.inputDim());
        n.put("nb_concepts", c.nbConcepts());
        n.put("encoder", c.encoder().label());
        n.put("normalization", c.dictionary().normalization().label());
        n.put("use_multiplier", c.dictionary().useMultiplier());
        n.put("dtype", c.dtype().label());
        n.put("seed", c.seed());
        return n;
    }

    /** The run's training config as checkpoints record it ({@link TrainingConfigJson}). */
    static ObjectNode training(TrainingConfig c) {
        ObjectNode n = TrainingConfigJson.toJson(c);
        return n;
    }

    /** Writes {@code json} to {@code file} through a temporary file, so a reader never sees half of it. */
    static void write(Path file, Object json) throws IOException {
        try {
            AtomicFiles.write(file, MAPPER.writeValueAsBytes(json));
        } catch (IOException e) {
            throw new IOException("could not write " + file + ": " + e.getMessage(), e);
        }
    }
}
