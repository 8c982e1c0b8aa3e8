package dev.saekit.onnx.splice;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Stand-in SAEs whose reconstructions are known exactly: codes are the rows themselves (one latent per column). */
final class TestSaes {
    private TestSaes() {}

    /** The reconstruction is the row, bit for bit. */
    static RowAutoencoder identity(int width) {
        return scaled(width, 1);
    }

    /** The reconstruction is zero, and so are the codes. */
    static RowAutoencoder zero(int width) {
        return new RowAutoencoder() {
            @Override
            public int width() {
                return width;
            }

            @Override
            public int latents() {
                return width;
            }

            @Override
            public Reconstruction reconstruct(INDArray rows) {
                return new Reconstruction(rows.mul(0), rows.mul(0));
            }
        };
    }

    /** The reconstruction is {@code factor} times the row (1: the row itself, not a product). */
    static RowAutoencoder scaled(int width, float factor) {
        return new RowAutoencoder() {
            @Override
            public int width() {
                return width;
            }

            @Override
            public int latents() {
                return width;
            }

            @Override
            public Reconstruction reconstruct(INDArray rows) {
                return new Reconstruction(factor == 1 ? rows.dup() : rows.mul(factor), rows.dup());
            }
        };
    }
}
