package dev.saekit.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.saekit.data.InMemoryDataset;
import dev.saekit.model.CoderSpec;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SaeConfig;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.model.TopKSpec;
import dev.saekit.model.VanillaSpec;
import dev.saekit.tensor.DType;
import dev.saekit.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** A crosscoder's concepts by layer, on a model whose decoder blocks are set by hand. */
class LayerSharesTest {

    /**
     * Two layers of width 2, four concepts. Decoders: concept 0 lies in layer 0 only ({@code [3, 4 | 0,
     * 0]}, share 1 and 0), concept 1 in layer 1 only, concept 2 in both ({@code [0, 1 | 1, 0]}: 0.5
     * each), concept 3 mostly in layer 1 ({@code [0, 1 | 0, 3]}: 0.25 and 0.75). The encoder reads
     * input 0 into concepts 0 to 2 and nothing into concept 3, whose bias keeps it silent: it is dead.
     */
    @Test
    void conceptsDivideAmongLayersByTheirDecoderNorms() {
        SparseAutoencoder m = ModelSpec.coder(
                        SaeConfig.of(4, 4).withDType(DType.FLOAT64), new VanillaSpec(), CoderSpec.Crosscoder.of(2))
                .build();
        m.parameter("W_dec").orElseThrow().assign(Tensors.matrix(DType.FLOAT64, new double[][] {
            {3, 4, 0, 0}, {0, 0, 0, 2}, {0, 1, 1, 0}, {0, 1, 0, 3}
        }));
        m.parameter("W_enc").orElseThrow().assign(Tensors.matrix(DType.FLOAT64, new double[][] {
            {1, 1, 1, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}
        }));
        m.parameter("b_enc").orElseThrow().assign(Tensors.fromFlat(DType.FLOAT64, new double[] {0, 0, 0, -1}, 4));
        InMemoryDataset data = InMemoryDataset.of(
                Tensors.matrix(DType.FLOAT64, new double[][] {{1, 0, 0, 0}, {2, 0, 0, 0}, {-1, 0, 0, 0}}), "rows");

        LayerShares s = LayerShares.of(m, data, 2);
        assertArrayEquals(new double[] {1, 0}, s.shares()[0]);
        assertArrayEquals(new double[] {0, 1}, s.shares()[1]);
        assertArrayEquals(new double[] {0.5, 0.5}, s.shares()[2]);
        assertArrayEquals(new double[] {0.25, 0.75}, s.shares()[3]);
        assertArrayEquals(new long[] {2, 2, 2, 0}, s.fired(), "the rows with a positive first input fire 0 to 2");
        assertEquals(1, s.dead());
        assertEquals(1, s.specificTo(0, 0.1));
        assertEquals(1, s.specificTo(1, 0.1));
        assertEquals(1, s.shared(0.1), "concept 2; concept 3 is dead and counted apart");
    }

    @Test
    void onlyACrosscoderHasLayers() {
        SparseAutoencoder sae =
                ModelSpec.of(SaeConfig.of(4, 4), new TopKSpec(2)).build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> LayerShares.of(sae, InMemoryDataset.of(Tensors.zeros(DType.FLOAT32, 2, 4), "zeros"), 2));
        assertTrue(e.getMessage().contains("crosscoder"), e.getMessage());
    }
}
