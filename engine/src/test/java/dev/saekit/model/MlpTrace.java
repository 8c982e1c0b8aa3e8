package dev.saekit.model;

import dev.saekit.encoder.EncoderKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The forward pass of a model's MLP encoder recomputed in the test from the parameters alone
 * (Linear, then LayerNorm over the features or BatchNorm over the batch with eps 1e-5, then ReLU
 * between blocks), for the checks that need the encoder's intermediate values: how close any ReLU
 * input comes to its kink, and how large the rounding of a BatchNorm's backward pass may be.
 */
final class MlpTrace {
    private static final double NORM_EPS = 1e-5;

    /** One block: its input, the Linear output, the normalised values, their 1/std, and the Norm output. */
    record Block(String prefix, INDArray input, INDArray linear, INDArray normalised, INDArray rstd, INDArray output) {}

    private final SparseAutoencoder model;
    private final EncoderKind kind;
    private final List<Block> blocks = new ArrayList<>();

    MlpTrace(SparseAutoencoder model, EncoderKind kind, INDArray x) {
        this.model = model;
        this.kind = kind;
        INDArray h = x;
        for (int b = 0; b < kind.blocks(); b++) {
            String prefix = b == kind.blocks() - 1 ? "encoder.final_block" : "encoder.mlp_blocks." + b;
            INDArray y = h.mmul(value(prefix + ".0.weight").transpose()).addiRowVector(value(prefix + ".0.bias"));
            INDArray xhat;
            INDArray rstd;
            if (kind.norm() == EncoderKind.NormKind.LAYER) {
                INDArray centred = y.subColumnVector(y.mean(1).reshape(y.rows(), 1));
                rstd = Transforms.pow(Transforms.sqrt(y.var(false, 1).addi(NORM_EPS)), -1)
                        .reshape(y.rows(), 1);
                xhat = centred.mulColumnVector(rstd);
            } else if (kind.norm() == EncoderKind.NormKind.BATCH) {
                INDArray mean = model.isTraining() ? y.mean(0) : value(prefix + ".1.running_mean");
                INDArray var = model.isTraining() ? y.var(false, 0) : value(prefix + ".1.running_var");
                rstd = Transforms.pow(Transforms.sqrt(var.add(NORM_EPS)), -1).reshape(1, y.columns());
                xhat = y.subRowVector(mean).mulRowVector(rstd);
            } else {
                rstd = null;
                xhat = y;
            }
            INDArray out = kind.norm() == EncoderKind.NormKind.NONE
                    ? y
                    : xhat.mulRowVector(value(prefix + ".1.weight")).addiRowVector(value(prefix + ".1.bias"));
            blocks.add(new Block(prefix, h, y, xhat, rstd, out));
            h = Transforms.relu(out, true);
        }
    }

    /** The smallest {@code |input|} of the hidden blocks' ReLUs (their Norm outputs); infinite with one block. */
    double closestHiddenReluInputToZero() {
        double closest = Double.POSITIVE_INFINITY;
        for (Block b : blocks.subList(0, blocks.size() - 1)) {
            closest = Math.min(
                    closest, Transforms.abs(b.output(), true).minNumber().doubleValue());
        }
        return closest;
    }

    /**
     * For each Linear bias that feeds a BatchNorm in training, per entry {@code j}: the magnitude of
     * the terms that the backward pass sums into that bias's gradient, given {@code dL/dz_pre}.
     *
     * <p>In training, BatchNorm centres its input over the batch, so the gradient {@code g} it passes
     * to the Linear layer sums to zero over the batch and the bias gradient {@code sum_b g_bj} is
     * exactly zero in exact arithmetic. With {@code gx = dL/dy * gamma},
     * {@code g = rstd (gx - mean_b gx - xhat mean_b(gx xhat))}: computed, the bias gradient is a sum of
     * {@code B} rounded terms whose own ingredients come from sums over the batch, and the batch mean
     * of the forward pass is rounded too (so {@code sum_b xhat} is not exactly 0). Its rounding error
     * is therefore at most a small multiple of {@code B u} times
     * {@code rstd sum_b (|gx| + |mean gx| + |xhat| |mean(gx xhat)|) + rstd^2 |mean(gx xhat)| sum_b |y|}:
     * the value returned for entry {@code j}.
     */
    Map<String, double[]> batchNormBiasTermMagnitudes(INDArray gradPreCodes) {
        Map<String, double[]> out = new LinkedHashMap<>();
        if (kind.norm() != EncoderKind.NormKind.BATCH || !model.isTraining()) {
            return out;
        }
        INDArray gOut = gradPreCodes;
        for (int i = blocks.size() - 1; i >= 0; i--) {
            Block b = blocks.get(i);
            INDArray gx = gOut.mulRowVector(value(b.prefix() + ".1.weight"));
            INDArray s1 = gx.mean(0).reshape(1, gx.columns());
            INDArray s2 = gx.mul(b.normalised()).mean(0).reshape(1, gx.columns());
            INDArray terms = Transforms.abs(gx)
                    .addiRowVector(Transforms.abs(s1))
                    .addi(Transforms.abs(b.normalised()).mulRowVector(Transforms.abs(s2)))
                    .sum(0)
                    .reshape(1, gx.columns())
                    .muli(b.rstd());
            INDArray centring = Transforms.abs(b.linear())
                    .sum(0)
                    .reshape(1, gx.columns())
                    .muli(Transforms.abs(s2))
                    .muli(b.rstd())
                    .muli(b.rstd());
            out.put(b.prefix() + ".0.bias", terms.addi(centring).toDoubleVector());
            if (i > 0) {
                INDArray gIn = gx.subRowVector(s1)
                        .subi(b.normalised().mulRowVector(s2))
                        .muliRowVector(b.rstd());
                INDArray gHidden = gIn.mmul(value(b.prefix() + ".0.weight"));
                gOut = gHidden.muli(blocks.get(i - 1).output().gt(0).castTo(gHidden.dataType()));
            }
        }
        return out;
    }

    private INDArray value(String name) {
        return model.parameter(name)
                .orElseThrow(() -> new AssertionError("no parameter " + name))
                .value();
    }
}
