package dev.saekit.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Kernels of the JumpReLU threshold's pseudo-derivative: {@code K(u)} for {@code u = r - theta},
 * with bandwidth {@code eps}. Each normalises as overcomplete's does. The bandwidth is a float32
 * value even in a float64 model, and the constants derived from it ({@code eps / 2},
 * {@code 1 / (eps sqrt(2 pi))}, {@code pi / eps}, {@code pi eps / 2}) are computed in float32;
 * {@code rectangle} and {@code silverman} round their result to float32 — exactly as the reference.
 */
public enum JumpKernel {
    /** {@code 1[|u| <= eps/2] / eps}. */
    RECTANGLE("rectangle") {
        @Override
        public double value(double u, float eps) {
            float half = eps / 2f;
            return (u >= -half && u <= half) ? (double) (1f / eps) : 0.0;
        }
    },
    /** {@code exp(-(u / (eps/2))^2 / 2) / (eps sqrt(2 pi))}. */
    GAUSSIAN("gaussian") {
        @Override
        public double value(double u, float eps) {
            float coeff = 1f / (eps * (float) Math.sqrt(2.0 * Math.PI));
            double s = u / (double) (eps / 2f);
            return Math.exp(-0.5 * s * s) * coeff;
        }
    },
    /** {@code (1 - |u|/(eps/2)) 1[|u| <= eps/2] / (eps/2)}. */
    TRIANGULAR("triangular") {
        @Override
        public double value(double u, float eps) {
            float half = eps / 2f;
            double a = Math.abs(u);
            return a <= half ? (1 - a / half) / half : 0.0;
        }
    },
    /** {@code (1 + cos(pi u / eps)) / 2} on {@code |u| <= eps}, not normalised. */
    COSINE("cosine") {
        @Override
        public double value(double u, float eps) {
            float coeff = (float) Math.PI / eps;
            return Math.abs(u) <= eps ? (1 + Math.cos(u * coeff)) / 2 : 0.0;
        }
    },
    /** {@code 3/4 (1 - s^2) 1[|s| <= 1] / (eps/2)}, {@code s = u / (eps/2)}. */
    EPANECHNIKOV("epanechnikov") {
        @Override
        public double value(double u, float eps) {
            float half = eps / 2f;
            double s = u / half;
            return Math.abs(s) <= 1 ? 0.75 * (1 - s * s) / half : 0.0;
        }
    },
    /** {@code 15/16 (1 - s^2)^2 1[|s| <= 1] / (eps/2)}. */
    QUARTIC("quartic") {
        @Override
        public double value(double u, float eps) {
            float half = eps / 2f;
            double s = u / half;
            double t = 1 - s * s;
            return Math.abs(s) <= 1 ? (15.0 / 16.0) * t * t / half : 0.0;
        }
    },
    /** {@code exp(-s/sqrt 2) sin(s/sqrt 2 + pi/4) / (eps/2)}, {@code s = |u| / (eps/2)}: the default. */
    SILVERMAN("silverman") {
        @Override
        public double value(double u, float eps) {
            float half = eps / 2f;
            double s = Math.abs(u) / half;
            float k = (float) (Math.exp(-s / Math.sqrt(2.0)) * Math.sin(s / Math.sqrt(2.0) + Math.PI / 4.0));
            return k / half;
        }
    },
    /** {@code 1 / (1 + s^2) / (pi eps/2)}. */
    CAUCHY("cauchy") {
        @Override
        public double value(double u, float eps) {
            float half = eps / 2f;
            double s = u / half;
            float norm = (float) Math.PI * half;
            return (1.0 / (1.0 + s * s)) / norm;
        }
    };

    private final String label;

    JumpKernel(String label) {
        this.label = label;
    }

    /** {@code K(u)} at bandwidth {@code eps}. */
    public abstract double value(double u, float eps);

    /**
     * The half-width of the kernel's support at bandwidth {@code eps}: {@code K(u) = 0} for
     * {@code |u|} beyond it, or (gaussian, silverman) below 1e-18 of the kernel's peak, a share that
     * no float64 sum notices; infinite for cauchy, whose tails decay as {@code 1/u^2}.
     */
    public double support(float eps) {
        return switch (this) {
            case RECTANGLE, TRIANGULAR, EPANECHNIKOV, QUARTIC -> eps / 2f;
            case COSINE -> eps;
            // exp(-s^2/2) < 1e-18 for s = u / (eps/2) > 9.1
            case GAUSSIAN -> 5.0 * eps;
            // exp(-s/sqrt 2) < 1e-18 for s > 58.6
            case SILVERMAN -> 30.0 * eps;
            case CAUCHY -> Double.POSITIVE_INFINITY;
        };
    }

    public String label() {
        return label;
    }

    public static JumpKernel parse(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (JumpKernel k : values()) {
            if (k.label.equals(n)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown JumpReLU kernel '" + name + "'; accepted: "
                + Arrays.stream(values()).map(JumpKernel::label).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return label;
    }
}
