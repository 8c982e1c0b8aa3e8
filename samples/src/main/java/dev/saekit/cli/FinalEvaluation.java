package dev.saekit.cli;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.metrics.EvalMetrics;
import dev.saekit.metrics.Evaluation;
import dev.saekit.model.SaeOutput;
import dev.saekit.model.SparseAutoencoder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One pass of a trained model over a whole data set in evaluation mode, rows in order: the
 * metrics of {@link Evaluation} and the {@link ConceptReport}.
 */
record FinalEvaluation(EvalMetrics metrics, ConceptReport concepts) {

    static FinalEvaluation run(SparseAutoencoder model, InMemoryDataset data, int batchSize, int topRows) {
        model.eval();
        Evaluation evaluation = new Evaluation();
        ConceptReport concepts = new ConceptReport(model.nbConcepts(), topRows);
        INDArray matrix = data.matrix();
        for (long start = 0; start < data.rows(); start += batchSize) {
            long end = Math.min(data.rows(), start + batchSize);
            INDArray x = matrix.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).dup('c');
            SaeOutput out = model.forward(x);
            evaluation.add(x, out.reconstruction(), out.codes());
            concepts.add(start, out.codes());
        }
        return new FinalEvaluation(evaluation.result(), concepts);
    }
}
