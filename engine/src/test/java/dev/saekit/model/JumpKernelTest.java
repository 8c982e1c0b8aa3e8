package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.saekit.tensor.Tolerance;
import org.junit.jupiter.api.Test;

/**
 * Each kernel at its centre and at the edge of its support, eps = 1e-3 (float32), half = 5e-4.
 * Kernels whose constants or values are float32 (gaussian, cosine, silverman, cauchy) are compared
 * within a few float32 roundings; the others, computed in float64 from the float32 half-width, within
 * a few float64 roundings.
 */
class JumpKernelTest {
    private static final float EPS = 1e-3f;
    private static final double HALF = EPS / 2f;

    @Test
    void valuesAtTheCentreFollowEachKernelsNormalisation() {
        assertEquals(1f / EPS, JumpKernel.RECTANGLE.value(0, EPS), 0.0); // 1 / eps = 1000
        assertEquals(1 / (EPS * Math.sqrt(2 * Math.PI)), JumpKernel.GAUSSIAN.value(0, EPS), Tolerance.f32(398.94, 3));
        assertEquals(1 / HALF, JumpKernel.TRIANGULAR.value(0, EPS), Tolerance.f64(2000, 3)); // 2000
        assertEquals(1.0, JumpKernel.COSINE.value(0, EPS), 0.0); // (1 + cos 0) / 2
        assertEquals(0.75 / HALF, JumpKernel.EPANECHNIKOV.value(0, EPS), Tolerance.f64(1500, 3)); // 1500
        assertEquals(15.0 / 16.0 / HALF, JumpKernel.QUARTIC.value(0, EPS), Tolerance.f64(1875, 4)); // 1875
        assertEquals(Math.sin(Math.PI / 4) / HALF, JumpKernel.SILVERMAN.value(0, EPS), Tolerance.f32(1414.21, 3));
        assertEquals(1 / (Math.PI * HALF), JumpKernel.CAUCHY.value(0, EPS), Tolerance.f32(636.62, 3));
    }

    @Test
    void compactKernelsVanishOutsideTheirSupport() {
        double outside = 0.6e-3; // beyond eps/2 but inside eps
        assertEquals(0.0, JumpKernel.RECTANGLE.value(outside, EPS), 0.0);
        assertEquals(0.0, JumpKernel.TRIANGULAR.value(-outside, EPS), 0.0);
        assertEquals(0.0, JumpKernel.EPANECHNIKOV.value(outside, EPS), 0.0);
        assertEquals(0.0, JumpKernel.QUARTIC.value(outside, EPS), 0.0);
        // the cosine kernel's support is |u| <= eps: at 0.6e-3 it is (1 + cos(0.6 pi)) / 2
        // its argument pi u / eps goes through float32 constants: off by a few float32 roundings
        assertEquals(
                (1 + Math.cos(0.6 * Math.PI)) / 2, JumpKernel.COSINE.value(outside, EPS), Tolerance.f32(Math.PI, 4));
        assertEquals(0.0, JumpKernel.COSINE.value(1.1e-3, EPS), 0.0);
    }

    @Test
    void silvermanRoundsToFloat32LikeTheReference() {
        double v = JumpKernel.SILVERMAN.value(2e-4, EPS);
        assertEquals(v, (double) (float) v, 0.0);
        assertEquals(v, JumpKernel.SILVERMAN.value(-2e-4, EPS), 0.0);
    }
}
