package dev.saekit.cli;

import dev.saekit.data.Dataset;
import dev.saekit.metrics.EvalMetrics;
import dev.saekit.metrics.Evaluation;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One pass of a trained model over a whole data set in evaluation mode, rows in order: the
 * metrics of {@link Evaluation} (the model's output against its target: the input itself, a
 * transcoder's target, a crosscoder's layers) and the {@link ConceptReport} of the codes, which
 * the input side of each row gives.
 */
record FinalEvaluation(EvalMetrics metrics, ConceptReport concepts) {

    static FinalEvaluation run(SparseAutoencoder model, Dataset data, int batchSize, int topRows) {
        model.eval();
        Evaluation evaluation = new Evaluation();
        ConceptReport concepts = new ConceptReport(model.nbConcepts(), topRows);
        long start = 0;
        for (INDArray rows : data.batchesInOrder(batchSize)) { // streamed shards as well as a matrix in memory
            SaeOutput out = model.forward(model.inputOf(rows));
            evaluation.add(model.targetOf(rows), out.reconstruction(), out.codes());
            concepts.add(start, out.codes());
            start += rows.rows();
        }
        return new FinalEvaluation(evaluation.result(), concepts);
    }
}
