package dev.saekit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.saekit.train.AuxKLoss;
import dev.saekit.train.LossSpec;
import dev.saekit.train.MatryoshkaLoss;
import dev.saekit.train.OptimizerConfig;
import dev.saekit.train.Schedule;
import dev.saekit.train.TrainingConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A training config written as JSON reads back equal, loss terms and all; a bad field is named. */
class TrainingConfigJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void manyGeneratedConfigsRoundTripExactlyThroughJsonText() throws IOException {
        for (int seed = 0; seed < 400; seed++) {
            Random r = new Random(seed);
            TrainingConfig c = config(r);
            String text = MAPPER.writeValueAsString(TrainingConfigJson.toJson(c));
            TrainingConfig back = TrainingConfigJson.fromJson(MAPPER.readTree(text));
            String where = "seed " + seed + ": " + text;
            assertEquals(c.loss().spec(), back.loss().spec(), where);
            assertEquals(c.optimizer(), back.optimizer(), where);
            assertEquals(c.schedule(), back.schedule(), where);
            assertEquals(Double.doubleToRawLongBits(c.clipNorm()), Double.doubleToRawLongBits(back.clipNorm()), where);
            assertEquals(
                    List.of(c.epochs(), c.batchSize(), c.seed(), c.shuffle()),
                    List.of(back.epochs(), back.batchSize(), back.seed(), back.shuffle()),
                    where);
            assertEquals(text, MAPPER.writeValueAsString(TrainingConfigJson.toJson(back)), where);
        }
    }

    /** A random config: any optimiser, schedule, clipping, and a loss of up to three levels of sums and weights. */
    static TrainingConfig config(Random r) {
        OptimizerConfig optimizer = new OptimizerConfig(
                r.nextBoolean() ? OptimizerConfig.Kind.ADAM : OptimizerConfig.Kind.ADAMW,
                Math.pow(10, -6 + 5 * r.nextDouble()),
                r.nextDouble(),
                r.nextDouble(),
                Math.pow(10, -12 + 6 * r.nextDouble()),
                r.nextInt(3) == 0 ? 0.0 : r.nextDouble() * 0.1);
        Schedule schedule = switch (r.nextInt(3)) {
            case 0 -> Schedule.constant();
            case 1 -> Schedule.cosine(r.nextDouble() * 0.5, r.nextDouble());
            default -> Schedule.linearDecay(r.nextDouble() * 0.5, r.nextDouble());
        };
        return TrainingConfig.builder()
                .epochs(1 + r.nextInt(100))
                .batchSize(1 + r.nextInt(5000))
                .optimizer(optimizer)
                .schedule(schedule)
                .clipNorm(r.nextBoolean() ? 0.0 : r.nextDouble() * 10)
                .seed(r.nextLong())
                .shuffle(r.nextBoolean())
                .loss(loss(r, 3).build())
                .build();
    }

    /** A random loss spec: a term of any kind, or (while {@code depth > 0}) a weighted term or a sum. */
    static LossSpec loss(Random r, int depth) {
        int kinds = depth > 0 ? 10 : 8;
        switch (r.nextInt(kinds)) {
            case 0:
                return new LossSpec.Mse();
            case 1:
                return new LossSpec.L1(r.nextDouble() * 1e-3);
            case 2:
                return new LossSpec.MseL1(r.nextDouble() * 1e-3);
            case 3:
                return new LossSpec.TopKAux(r.nextDouble());
            case 4:
                return new LossSpec.AuxK(
                        r.nextInt(64),
                        r.nextDouble(),
                        r.nextBoolean() ? AuxKLoss.Flavor.SAELENS : AuxKLoss.Flavor.SPARSIFY,
                        r.nextInt(3) == 0 ? 0 : r.nextInt(1000));
            case 5:
                return new LossSpec.Reanimation(r.nextDouble());
            case 6:
                return new LossSpec.MpRevive(r.nextDouble() * 0.1, r.nextDouble() * 0.1, r.nextInt(20));
            case 7: {
                MatryoshkaLoss.Kind kind = r.nextBoolean() ? MatryoshkaLoss.Kind.MSE : MatryoshkaLoss.Kind.NMSE;
                LossSpec.Matryoshka.Weighting w = LossSpec.Matryoshka.Weighting.values()[r.nextInt(3)];
                List<Double> weights = new ArrayList<>();
                if (w == LossSpec.Matryoshka.Weighting.GIVEN) {
                    int n = 1 + r.nextInt(4);
                    for (int i = 0; i < n; i++) {
                        weights.add(i == 0 ? 0.5 + r.nextDouble() : r.nextDouble());
                    }
                }
                return new LossSpec.Matryoshka(kind, w, weights);
            }
            case 8:
                return new LossSpec.Weighted(loss(r, depth - 1), r.nextDouble() * 3);
            default: {
                List<LossSpec> terms = new ArrayList<>();
                int n = 2 + r.nextInt(3);
                for (int i = 0; i < n; i++) {
                    terms.add(loss(r, depth - 1));
                }
                return new LossSpec.Sum(terms);
            }
        }
    }

    private static ObjectNode valid() {
        return TrainingConfigJson.toJson(TrainingConfig.builder()
                .loss(new LossSpec.Sum(List.of(new LossSpec.Mse(), new LossSpec.Weighted(new LossSpec.L1(1e-4), 0.5)))
                        .build())
                .build());
    }

    private static String error(JsonNode n) {
        return assertThrows(IllegalArgumentException.class, () -> TrainingConfigJson.fromJson(n))
                .getMessage();
    }

    @Test
    void aMissingFieldIsNamedByItsPath() {
        ObjectNode n = valid();
        n.remove("batch_size");
        assertEquals("training config: missing field 'batch_size'", error(n));
        ObjectNode o = valid();
        ((ObjectNode) o.get("optimizer")).remove("beta2");
        assertEquals("training config: missing field 'optimizer.beta2'", error(o));
        ObjectNode l = valid();
        ((ObjectNode) l.get("loss").get("terms").get(1)).remove("weight");
        assertEquals("training config: missing field 'loss.terms[1].weight'", error(l));
    }

    @Test
    void aFieldOfTheWrongTypeOrValueIsNamedWithTheValue() {
        ObjectNode n = valid();
        n.put("shuffle", "yes");
        assertEquals("training config: field 'shuffle' must be true or false, was \"yes\"", error(n));
        ObjectNode lr = valid();
        ((ObjectNode) lr.get("optimizer")).put("learning_rate", -1.0);
        assertEquals("training config: 'optimizer': learningRate must be finite and > 0, was -1.0", error(lr));
        ObjectNode lambda = valid();
        ((ObjectNode) lambda.get("loss").get("terms").get(1).get("term")).put("lambda", "big");
        assertEquals("training config: field 'loss.terms[1].term.lambda' must be a number, was \"big\"", error(lambda));
        ObjectNode epochs = valid();
        epochs.put("epochs", 0);
        assertTrue(error(epochs).contains("epochs must be > 0, was 0"), error(epochs));
    }

    @Test
    void anUnknownKindListsTheAcceptedOnes() {
        ObjectNode s = valid();
        ((ObjectNode) s.get("schedule")).put("kind", "step");
        assertEquals(
                "training config: field 'schedule.kind' must be one of constant, cosine, linear; was 'step'", error(s));
        ObjectNode f = TrainingConfigJson.toJson(TrainingConfig.builder()
                .loss(new LossSpec.AuxK(0, 0.1, AuxKLoss.Flavor.SAELENS, 0).build())
                .build());
        ((ObjectNode) f.get("loss")).put("flavor", "gao");
        assertEquals("training config: field 'loss.flavor' must be one of saelens, sparsify, was 'gao'", error(f));
        ObjectNode k = valid();
        ((ObjectNode) k.get("loss").get("terms").get(0)).put("kind", "huber");
        assertTrue(
                error(k).startsWith("training config: field 'loss.terms[0].kind' must be one of mse, l1, mse_l1"),
                error(k));
    }

    @Test
    void aCustomLossReadsBackAsDataButIsRefusedAsAConfig() {
        ObjectNode n = valid();
        ((ArrayNode) n.get("loss").get("terms"))
                .add(MAPPER.createObjectNode().put("kind", "custom").put("name", "mine"));
        assertEquals(
                new LossSpec.Custom("mine"),
                LossSpecJson.fromJson(n.get("loss").get("terms").get(2)));
        assertTrue(error(n).contains("custom loss 'mine'"), error(n));
    }
}
