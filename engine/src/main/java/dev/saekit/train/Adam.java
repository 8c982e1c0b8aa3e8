package dev.saekit.train;

import dev.saekit.kernel.AdamKernel;
import dev.saekit.tensor.Parameter;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam (Kingma and Ba, 2015) and AdamW (Loshchilov and Hutter, 2019) exactly as torch computes
 * them: {@code m = b1 m + (1-b1) g}, {@code v = b2 v + (1-b2) g^2},
 * {@code p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)}. Adam adds {@code wd * p} to the
 * gradient; AdamW first multiplies {@code p} by {@code 1 - lr * wd}. The moment arrays and one
 * scratch array per parameter are allocated on the first step and reused.
 */
public final class Adam implements Optimizer {
    private final OptimizerConfig config;
    private final Map<Parameter, State> states = new IdentityHashMap<>();

    public Adam(OptimizerConfig config) {
        this.config = config;
    }

    @Override
    public OptimizerConfig config() {
        return config;
    }

    /** The moments of {@code p} and its step count, or null before its first update. */
    public State state(Parameter p) {
        return states.get(p);
    }

    /**
     * Sets the state of {@code p} (a checkpoint's): its step count and copies of its moments, which
     * must have {@code p}'s shape.
     */
    public void restore(Parameter p, long step, INDArray expAvg, INDArray expAvgSq) {
        if (step < 0) {
            throw new IllegalArgumentException("Adam step of '" + p.name() + "' must be >= 0, was " + step);
        }
        State s = new State(p.value());
        s.step = step;
        for (INDArray[] pair : new INDArray[][] {{s.expAvg, expAvg}, {s.expAvgSq, expAvgSq}}) {
            if (!java.util.Arrays.equals(pair[0].shape(), pair[1].shape())) {
                throw new IllegalArgumentException(
                        "Adam state of '" + p.name() + "' must have shape " + java.util.Arrays.toString(pair[0].shape())
                                + ", got " + java.util.Arrays.toString(pair[1].shape()));
            }
            pair[0].assign(pair[1]);
        }
        states.put(p, s);
    }

    @Override
    public void step(List<Parameter> parameters, double lr) {
        step(parameters, lr, 1.0);
    }

    /** Folds {@code gradScale} into the fused pass where it runs; elsewhere the gradient is scaled first. */
    @Override
    public void step(List<Parameter> parameters, double lr, double gradScale) {
        for (Parameter p : parameters) {
            if (p.isTrainable()) {
                update(p, lr, gradScale);
            }
        }
    }

    private void update(Parameter p, double lr, double gradScale) {
        State s = states.computeIfAbsent(p, k -> new State(k.value()));
        INDArray w = p.value();
        INDArray g = p.grad();
        double b1 = config.beta1();
        double b2 = config.beta2();
        s.step++;
        if (AdamKernel.supports(w, g, s.expAvg, s.expAvgSq)) { // one fused pass over native memory
            AdamKernel.step(
                    w,
                    g,
                    s.expAvg,
                    s.expAvgSq,
                    lr,
                    b1,
                    b2,
                    config.epsilon(),
                    1 - Math.pow(b1, s.step),
                    Math.sqrt(1 - Math.pow(b2, s.step)),
                    config.weightDecay(),
                    config.kind() == OptimizerConfig.Kind.ADAMW,
                    gradScale);
            p.markChanged();
            return;
        }
        INDArray tmp = s.scratch;
        if (gradScale != 1.0) {
            g.muli(gradScale);
        }
        if (config.weightDecay() != 0) {
            if (config.kind() == OptimizerConfig.Kind.ADAMW) {
                w.muli(1.0 - lr * config.weightDecay());
            } else {
                g = s.decayedGrad().assign(w).muli(config.weightDecay()).addi(g);
            }
        }
        s.expAvg.muli(b1).addi(tmp.assign(g).muli(1 - b1));
        s.expAvgSq.muli(b2).addi(tmp.assign(g).muli(g).muli(1 - b2));
        double biasCorrection1 = 1 - Math.pow(b1, s.step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(b2, s.step));
        INDArray denom = Transforms.sqrt(tmp.assign(s.expAvgSq), false)
                .divi(biasCorrection2Sqrt)
                .addi(config.epsilon());
        w.subi(denom.rdivi(s.expAvg).muli(lr / biasCorrection1));
        p.markChanged();
    }

    /** Per-parameter state: torch's {@code step}, {@code exp_avg}, {@code exp_avg_sq}. */
    public static final class State {
        private long step;
        private final INDArray expAvg;
        private final INDArray expAvgSq;
        private final INDArray scratch;
        private INDArray decayedGrad;

        State(INDArray like) {
            expAvg = like.ulike().assign(0);
            expAvgSq = like.ulike().assign(0);
            scratch = like.ulike();
        }

        private INDArray decayedGrad() {
            if (decayedGrad == null) {
                decayedGrad = scratch.ulike();
            }
            return decayedGrad;
        }

        public long step() {
            return step;
        }

        public INDArray expAvg() {
            return expAvg;
        }

        public INDArray expAvgSq() {
            return expAvgSq;
        }
    }
}
