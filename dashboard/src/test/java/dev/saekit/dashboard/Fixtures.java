package dev.saekit.dashboard;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small SAEs and rows for the dashboard's tests: seeded, so every run sees the same. */
final class Fixtures {
    static final int INPUT = 16;
    static final int CONCEPTS = 24;
    static final int ROWS = 2_000;

    private Fixtures() {}

    /** A TopK SAE (k = 4) at its seeded initialisation. */
    static SparseAutoencoder topK() {
        return ModelSpec.of(SaeConfig.of(INPUT, CONCEPTS).withSeed(7), new TopKSpec(4))
                .build();
    }

    /** {@code rows} Gaussian rows, float32. */
    static INDArray rows(int rows, long seed) {
        Random r = new Random(seed);
        float[] v = new float[rows * INPUT];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return Nd4j.createFromArray(v).reshape(rows, INPUT);
    }

    /** Labels from an alphabet of 40 words, some far more frequent than others. */
    static List<String> labels(int rows, long seed) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            int w = (int) Math.floor(40 * Math.pow(r.nextDouble(), 2));
            out.add("w" + w);
        }
        return out;
    }

    static InMemoryDataset dataset(INDArray rows, List<String> labels) {
        return InMemoryDataset.of(rows, labels, "test rows");
    }

    /** {@code rows} that fail after {@code blocks} blocks, as a killed process would stop. */
    static RowStream failingAfter(RowStream rows, int blocks) {
        return new RowStream() {
            @Override
            public long rows() {
                return rows.rows();
            }

            @Override
            public int cols() {
                return rows.cols();
            }

            @Override
            public String description() {
                return rows.description();
            }

            @Override
            public void forEachBlock(int blockRows, Block block) throws IOException {
                int[] seen = {0};
                rows.forEachBlock(blockRows, (first, b) -> {
                    if (seen[0]++ == blocks) {
                        throw new IOException("interrupted after " + blocks + " blocks");
                    }
                    block.accept(first, b);
                });
            }
        };
    }
}
