package dev.saekit.model;

import dev.saekit.tensor.DType;
import dev.saekit.tensor.Parameter;
import dev.saekit.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A crosscoder's activation normaliser, as dictionary_learning's crosscoders keep one beside their
 * weights: each layer {@code l} of a row is read as {@code xn_l = (x_l - mean_l) g_l} and the
 * reconstruction is given back as {@code y_l / (g_l + 1e-8) + mean_l} (the {@code 1e-8} on the way
 * back only, as dictionary_learning computes it). The weights work on the normalised activations,
 * so the decoder norms that weigh a crosscoder's codes ({@link CodeNormalization}) are those of the
 * normalised space; folding {@code g_l} into the weights would change them layer by layer.
 *
 * <p>Buffers (never trained): {@code activation_mean [inputDim]} (the layers side by side),
 * {@code activation_std [inputDim]} and {@code target_rms} (what {@code g} was computed from:
 * {@code target_rms / sqrt(sum_d std_ld^2 + 1e-8)}; kept so that an export writes them back) and
 * {@code activation_global_scale [layers]} ({@code g}). A new normaliser is the identity: mean 0,
 * std 1, {@code g} 1. A model with a normaliser computes but does not train: saekit does not
 * differentiate through it ({@link SparseAutoencoder#backward} says so).
 */
public final class ActivationNormalizer {
    public static final String MEAN = "activation_mean";
    public static final String STD = "activation_std";
    public static final String GLOBAL_SCALE = "activation_global_scale";
    public static final String TARGET_RMS = "target_rms";
    /** What dictionary_learning adds to {@code g} before dividing by it on the way back. */
    public static final double EPSILON = 1e-8;

    private final int layers;
    private final int inputDim;
    private final Parameter mean;
    private final Parameter std;
    private final Parameter globalScale;
    private final Parameter targetRms;

    ActivationNormalizer(DType dtype, int inputDim, int layers) {
        this.layers = layers;
        this.inputDim = inputDim;
        this.mean = Parameter.buffer(MEAN, Tensors.zeros(dtype, inputDim));
        this.std = Parameter.buffer(STD, Tensors.ones(dtype, inputDim));
        this.globalScale = Parameter.buffer(GLOBAL_SCALE, Tensors.ones(dtype, layers));
        this.targetRms = Parameter.buffer(TARGET_RMS, Tensors.scalar(dtype, 1.0));
    }

    /** The shapes of its buffers, in the order of {@link #parameters()}. */
    static List<ParameterShape> shapes(long inputDim, long layers, int elementBytes) {
        return List.of(
                new ParameterShape(MEAN, new long[] {inputDim}, elementBytes, false),
                new ParameterShape(STD, new long[] {inputDim}, elementBytes, false),
                new ParameterShape(GLOBAL_SCALE, new long[] {layers}, elementBytes, false),
                new ParameterShape(TARGET_RMS, new long[0], elementBytes, false));
    }

    /** Its buffers: mean, std, global scale, target RMS. */
    public List<Parameter> parameters() {
        return List.of(mean, std, globalScale, targetRms);
    }

    /** {@code (x - mean) g} per layer, into {@code into [rows, inputDim]}; returns {@code into}. */
    INDArray normalize(INDArray x, INDArray into) {
        return into.assign(x).subiRowVector(mean.value()).muliRowVector(perColumn(globalScale.value()));
    }

    /** {@code y / (g + 1e-8) + mean} per layer, in place; returns {@code y}. */
    INDArray denormalize(INDArray y) {
        INDArray divisor = perColumn(globalScale.value().add(EPSILON));
        return y.diviRowVector(divisor).addiRowVector(mean.value());
    }

    /** A per-layer vector {@code [layers]} repeated over each layer's columns: {@code [inputDim]}. */
    private INDArray perColumn(INDArray perLayer) {
        int block = inputDim / layers;
        INDArray out = Tensors.zeros(Tensors.dtypeOf(perLayer), inputDim);
        for (int l = 0; l < layers; l++) {
            out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval((long) l * block, (long) (l + 1) * block))
                    .assign(perLayer.getDouble(l));
        }
        return out;
    }
}
