package dev.saekit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.files.AtomicFiles;
import dev.saekit.model.SaeConfig;
import dev.saekit.train.Losses;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.Schedule;
import dev.saekit.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Path;

/** The JSON forms of a model's and a run's configuration (snake_case keys), and atomic JSON writing. */
final class ConfigJson {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ConfigJson() {
    }

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

    static ObjectNode training(TrainingConfig c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("epochs", c.epochs());
        n.put("batch_size", c.batchSize());
        OptimizerConfig o = c.optimizer();
        ObjectNode opt = n.putObject("optimizer");
        opt.put("kind", o.kind().toString());
        opt.put("learning_rate", o.learningRate());
        opt.put("beta1", o.beta1());
        opt.put("beta2", o.beta2());
        opt.put("epsilon", o.epsilon());
        opt.put("weight_decay", o.weightDecay());
        ObjectNode s = n.putObject("schedule");
        if (c.schedule() instanceof Schedule.CosineWithWarmup cos) {
            s.put("name", "cosine").put("warmup", cos.warmupFraction()).put("final_lr_factor", cos.minFactor());
        } else if (c.schedule() instanceof Schedule.LinearDecay lin) {
            s.put("name", "linear").put("warmup", lin.warmupFraction()).put("final_lr_factor", lin.endFactor());
        } else {
            s.put("name", "constant");
        }
        n.put("clip_norm", c.clipNorm());
        ObjectNode loss = n.putObject("loss");
        loss.put("name", c.loss().name());
        if (c.loss() instanceof Losses.MseL1 l1) {
            loss.put("l1", l1.lambda());
        }
        n.put("seed", c.seed());
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
