package dev.saekit.onnx.splice;

import dev.saekit.onnx.FloatTensor;
import java.util.Map;

/** The running scores of one {@link Downstream} measure over the batches of an evaluation. */
interface Tally {
    /** Takes note of a batch's clean outputs; the {@link #add} calls that follow compare against them. */
    void clean(EvalBatch batch, Map<String, FloatTensor> clean);

    /** Adds the comparison of an altered run of the batch last given to {@link #clean}. */
    void add(Ablation ablation, EvalBatch batch, Map<String, FloatTensor> altered);

    Fidelity result();

    static Tally of(Downstream downstream) {
        if (downstream instanceof Downstream.SentenceEmbedding s) {
            return new EmbeddingTally(s);
        }
        return new CharacterTally((Downstream.CharacterDistributions) downstream);
    }

    /** The output {@code name} of a run; an error that lists the outputs there are if it is missing. */
    static FloatTensor output(Map<String, FloatTensor> outputs, String name) {
        FloatTensor t = outputs.get(name);
        if (t == null) {
            throw new IllegalArgumentException(
                    "the model has no float output '" + name + "'; its outputs are " + outputs.keySet());
        }
        return t;
    }
}
