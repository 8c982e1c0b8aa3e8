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
 * dictionary fetch, MSE, backward, clipping, the optimiser's step). The optimiser and the clipping
 * bound come from the case's {@code optimizer} field ({@code name}, {@code lr}, {@code betas},
 * {@code eps}, {@code weight_decay}, {@code clip_grad}); a case without it ran Adam at lr 5e-4 with
 * clipping at 1.0. After each step it compares the loss, the gradient norm before clipping (when the
 * case has it), the clipped gradients as the optimiser read them ({@code grad() * clipScale}, see
 * {@link StepState}), the parameters and Adam's state.
 */
final class TrainStepReplayer implements GoldenReplayer {

    @Override
    public Optional<String> unsupported(GoldenCase c) {
        if (!c.has("steps")) {
            return Optional.of("not a training-step case");
        }
        return OvercompleteReplayer.model(c) == null
                ? Optional.of("variant not implemented yet: " + c.modelClass())
                : Optional.empty();
    }

    @Override
    public void replay(GoldenCase c, GoldenCheck check) {
        SparseAutoencoder model = OvercompleteReplayer.model(c);
        OvercompleteReplayer.load(model, c.group("params_init"), check);
        INDArray batches = c.group("inputs").get("batches");
        JsonNode optimizer = c.root.path("optimizer");
        TrainingConfig config = TrainingConfig.builder()
                .epochs(1)
                .batchSize((int) batches.size(1))
                .optimizer(optimizer(optimizer))
                .clipNorm(optimizer.path("clip_grad").asDouble(1.0))
                .loss(Losses.mse())
                .shuffle(false)
                .build();
        Map<String, INDArray> clipped = new HashMap<>();
        double[] loss = new double[1];
        double[] normBeforeClip = new double[1];
        TrainingListener capture = new TrainingListener() {
            @Override
            public void beforeUpdate(StepState s) {
                loss[0] = s.loss();
                normBeforeClip[0] = s.gradNorm();
                for (Parameter p : model.parameters()) {
                    if (p.isTrainable()) {
                        clipped.put(p.name(), p.grad().mul(s.clipScale()));
                    }
                }
            }
        };
        Trainer trainer = new Trainer(config, capture);
        JsonNode steps = c.root.get("steps");
        for (int t = 0; t < steps.size(); t++) {
            INDArray x = batches.get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all())
                    .dup('c');
            trainer.fit(model, InMemoryDataset.of(x, c.name() + " batch " + t));
            JsonNode step = steps.get(t);
            String at = "step" + (t + 1) + "/";
            check.scalar(at + "loss_mse", loss[0], step.path("loss_mse").asDouble());
            if (step.has("grad_norm_before_clip")) {
                check.scalar(
                        at + "grad_norm_before_clip",
                        normBeforeClip[0],
                        step.path("grad_norm_before_clip").asDouble());
            }
            c.tensors(step.path("clipped_grads")).forEach((name, expected) -> {
                INDArray mine = clipped.get(name);
                if (mine == null) {
                    check.fail(at + "clipped_grads: no trainable parameter '" + name + "'");
                } else {
                    check.tensor(at + "clipped_grads/" + name, mine, expected);
                }
            });
            c.tensors(step.path("params_after_step"))
                    .forEach((name, expected) -> model.parameter(name)
                            .ifPresentOrElse(
                                    p -> check.tensor(at + "params/" + name, p.value(), expected),
                                    () -> check.fail(at + "params: no parameter '" + name + "'")));
            Adam adam = (Adam) trainer.optimizer();
            if (!(trainer.optimizer() instanceof Adam)) {
                check.fail(at + "adam_state: the optimiser is " + trainer.optimizer());
                continue;
            }
            step.path("adam_state").fields().forEachRemaining(e -> {
                Parameter p = model.parameter(e.getKey()).orElse(null);
                Adam.State s = p == null ? null : adam.state(p);
                if (s == null) {
                    check.fail(at + "adam_state: no state for '" + e.getKey() + "'");
                    return;
                }
                check.exact(
                        at + "adam/" + e.getKey() + "/step",
                        s.step(),
                        e.getValue().path("step").asLong());
                check.tensor(
                        at + "adam/" + e.getKey() + "/exp_avg",
                        s.expAvg(),
                        c.tensor(e.getValue().get("exp_avg")));
                check.tensor(
                        at + "adam/" + e.getKey() + "/exp_avg_sq",
                        s.expAvgSq(),
                        c.tensor(e.getValue().get("exp_avg_sq")));
            });
        }
    }

    /** The case's optimiser: Adam lr 5e-4 (torch's betas and eps) when the case names none. */
    private static OptimizerConfig optimizer(JsonNode o) {
        if (o.isMissingNode() || o.isNull()) {
            return OptimizerConfig.adam(5e-4);
        }
        JsonNode betas = o.path("betas");
        return new OptimizerConfig(
                OptimizerConfig.Kind.parse(o.path("name").asText("adam")),
                o.path("lr").asDouble(5e-4),
                betas.path(0).asDouble(0.9),
                betas.path(1).asDouble(0.999),
                o.path("eps").asDouble(1e-8),
                o.path("weight_decay").asDouble(0.0));
    }
}
