package dev.saekit.train;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.SeededRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Test data drawn from a known sparse dictionary, and weight snapshots for comparing runs. */
public final class SyntheticData {
    private SyntheticData() {}

    /**
     * {@code rows} samples {@code x = z @ D*}: {@code D*} has {@code atoms} unit rows in
     * {@code dim} dimensions, and each {@code z} has {@code active} non-zero entries in [0.5, 1.5].
     */
    public static InMemoryDataset sparseDictionary(int rows, int dim, int atoms, int active, DType dtype, long seed) {
        SeededRandom rng = new SeededRandom(seed);
        INDArray dictionary = rng.normal(DType.FLOAT64, 1.0, atoms, dim);
        dictionary.diviColumnVector(dictionary.norm2(1).reshape(atoms, 1));
        double[] codes = new double[rows * atoms];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < active; k++) {
                codes[i * atoms + rng.nextInt(atoms)] = 0.5 + rng.nextDouble();
            }
        }
        INDArray z = Nd4j.create(codes, new long[] {rows, atoms}, dictionary.dataType());
        return InMemoryDataset.of(z.mmul(dictionary).castTo(dtype.nd4j()), "synthetic sparse dictionary")
                .withDType(dtype);
    }

    /** Copies of every parameter's value, in order. */
    public static List<INDArray> snapshot(List<Parameter> parameters) {
        List<INDArray> copies = new ArrayList<>();
        for (Parameter p : parameters) {
            copies.add(p.value().dup('c'));
        }
        return copies;
    }

    /** True when both lists hold bit-identical arrays. */
    public static boolean bitIdentical(List<INDArray> a, List<INDArray> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i).shape(), b.get(i).shape())
                    || !Arrays.equals(
                            a.get(i).dup('c').data().asDouble(),
                            b.get(i).dup('c').data().asDouble())) {
                return false;
            }
        }
        return true;
    }
}
