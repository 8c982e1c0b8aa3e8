package dev.saekit.cli;

import dev.saekit.data.Dataset;
import dev.saekit.metrics.EvalMetrics;
import dev.saekit.metrics.Evaluation;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One pass of a trained model over a whole data set in evaluation mode, rows in order: the
 * metrics of {@link Evaluation} and the {@link ConceptReport}.
 */
record FinalEvaluation(EvalMetrics metrics, ConceptReport concepts) {

    static FinalEvaluation run(SparseAutoencoder model, Dataset data, int batchSize, int topRows) {
        model.eval();
        Evaluation evaluation = new Evaluation();
        ConceptReport concepts = new ConceptReport(model.nbConcepts(), topRows);
        long start = 0;
        for (INDArray x : data.batchesInOrder(batchSize)) { // streamed shards as well as a matrix in memory
            SaeOutput out = model.forward(x);
            evaluation.add(x, out.reconstruction(), out.codes());
            concepts.add(start, out.codes());
            start += x.rows();
        }
        return new FinalEvaluation(evaluation.result(), concepts);
    }
}
