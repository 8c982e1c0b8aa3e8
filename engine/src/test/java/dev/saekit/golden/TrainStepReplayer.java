package dev.saekit.golden;

import com.fasterxml.jackson.databind.JsonNode;
import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import dev.saekit.train.Adam;
import dev.saekit.train.Losses;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.StepState;
import dev.saekit.train.Trainer;
import dev.saekit.train.TrainingConfig;
import dev.saekit.train.TrainingListener;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Replays training-step cases (those with {@code steps}): each batch of {@code inputs.batches} is one
 * call of the reference's {@code train_sae} (one epoch over that one batch: forward, the loop's extra
 * dictionary fetch, MSE, backward, clipping at 1.0, Adam lr 5e-4). After each step it compares the
 * loss, the clipped gradients, the parameters and Adam's state.
 */
final class TrainStepReplayer implements GoldenReplayer {

    @Override
    public Optional<String> unsupported(GoldenCase c) {
        if (!c.has("steps")) {
            return Optional.of("not a training-step case");
        }
        return OvercompleteReplayer.model(c) == null
                ? Optional.of("variant not implemented yet: " + c.modelClass()) : Optional.empty();
    }

    @Override
    public void replay(GoldenCase c, GoldenCheck check) {
        SparseAutoencoder model = OvercompleteReplayer.model(c);
        OvercompleteReplayer.load(model, c.group("params_init"), check);
        INDArray batches = c.group("inputs").get("batches");
        TrainingConfig config = TrainingConfig.builder()
                .epochs(1)
                .batchSize((int) batches.size(1))
                .optimizer(OptimizerConfig.adam(5e-4))
                .clipNorm(1.0)
                .loss(Losses.mse())
                .shuffle(false)
                .build();
        Map<String, INDArray> clipped = new HashMap<>();
        double[] loss = new double[1];
        TrainingListener capture = new TrainingListener() {
            @Override
            public void beforeUpdate(StepState s) {
                loss[0] = s.loss();
                for (Parameter p : model.parameters()) {
                    if (p.isTrainable()) {
                        clipped.put(p.name(), p.grad().dup());
                    }
                }
            }
        };
        Trainer trainer = new Trainer(config, capture);
        JsonNode steps = c.root.get("steps");
        for (int t = 0; t < steps.size(); t++) {
            INDArray x = batches.get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
            trainer.fit(model, InMemoryDataset.of(x, c.name() + " batch " + t));
            JsonNode step = steps.get(t);
            String at = "step" + (t + 1) + "/";
            check.scalar(at + "loss_mse", loss[0], step.path("loss_mse").asDouble());
            c.tensors(step.path("clipped_grads")).forEach((name, expected) -> {
                INDArray mine = clipped.get(name);
                if (mine == null) {
                    check.fail(at + "clipped_grads: no trainable parameter '" + name + "'");
                } else {
                    check.tensor(at + "clipped_grads/" + name, mine, expected);
                }
            });
            c.tensors(step.path("params_after_step")).forEach((name, expected) -> model.parameter(name).ifPresentOrElse(
                    p -> check.tensor(at + "params/" + name, p.value(), expected),
                    () -> check.fail(at + "params: no parameter '" + name + "'")));
            Adam adam = (Adam) trainer.optimizer();
            step.path("adam_state").fields().forEachRemaining(e -> {
                Parameter p = model.parameter(e.getKey()).orElse(null);
                Adam.State s = p == null ? null : adam.state(p);
                if (s == null) {
                    check.fail(at + "adam_state: no state for '" + e.getKey() + "'");
                    return;
                }
                check.exact(at + "adam/" + e.getKey() + "/step", s.step(), e.getValue().path("step").asLong());
                check.tensor(at + "adam/" + e.getKey() + "/exp_avg", s.expAvg(), c.tensor(e.getValue().get("exp_avg")));
                check.tensor(at + "adam/" + e.getKey() + "/exp_avg_sq", s.expAvgSq(), c.tensor(e.getValue().get("exp_avg_sq")));
            });
        }
    }
}
