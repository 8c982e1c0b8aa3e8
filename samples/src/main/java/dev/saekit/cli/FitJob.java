package dev.saekit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.data.Dataset;
import dev.saekit.io.Checkpoint;
import dev.saekit.io.CheckpointListener;
import dev.saekit.io.DataProvenance;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.train.Optimizer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingListener;
import dev.saekit.train.TrainingResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@code saekit train} hands to the step that trains ({@link TrainCommand#fit}): the model as
 * the options made it (or the checkpoint it resumes), the resolved config, the listeners, the data
 * and how it was read, and where checkpoints go. The single-machine command trains it in its own
 * process; {@code saekit spark train} sends it to a cluster's executors, which read the same data
 * from the same files.
 *
 * @param model the model to train, in place
 * @param config the run's config, its input normalisation already resolved
 * @param listeners the command's listeners (divergence check, progress); not the checkpoints'
 * @param dataset the rows as the model sees them (centred, scaled)
 * @param data {@code --data} as given (null: the embedded set)
 * @param name {@code --name} (the array or tap), or null
 * @param rowAxes {@code --row-axes}
 * @param mean the mean row subtracted from every row ({@code --center}), or null
 * @param scale the factor every (centred) value was multiplied by ({@code --scale}); 1 for none
 * @param bufferRows {@code --buffer-rows}, the shuffle buffer of streamed shards
 * @param resumeFrom the checkpoint this run continues, or null
 * @param freshOptimizer whether a resumed run starts Adam afresh ({@code --reset-optimizer} without a saved state)
 * @param checkpointing where and how often checkpoints are saved, or null for none
 * @param out {@code --out}, the run directory, or null
 */
public record FitJob(
        SparseAutoencoder model,
        TrainingConfig config,
        List<TrainingListener> listeners,
        Dataset dataset,
        Path data,
        String name,
        int rowAxes,
        INDArray mean,
        double scale,
        int bufferRows,
        Checkpoint resumeFrom,
        boolean freshOptimizer,
        Checkpointing checkpointing,
        Path out) {

    /** The run's checkpoints: {@code every} steps into {@code dir}, the last {@code keep} kept, with what they record. */
    public record Checkpointing(
            Path dir,
            long every,
            int keep,
            DataProvenance provenance,
            JsonNode cli,
            Map<String, INDArray> attachments,
            String runId) {

        /** The listener that saves them. */
        public CheckpointListener listener() {
            return CheckpointListener.builder(dir)
                    .every(every)
                    .keep(keep)
                    .data(provenance)
                    .cli(cli)
                    .attachments(attachments)
                    .runId(runId)
                    .build();
        }
    }

    /**
     * Where training ended: the trained model (the job's own, or an equal one holding the weights a
     * cluster trained), its result, the config as run (with what the run resolved), the optimiser
     * holding its last state for that model's parameters (saved for a later resume) and the optimiser
     * steps taken in all.
     */
    public record Fitted(
            SparseAutoencoder model,
            TrainingResult result,
            TrainingConfig config,
            Optimizer optimizer,
            long stepsDone) {}
}
