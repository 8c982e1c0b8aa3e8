package dev.saekit.model;

/**
 * The vanilla sparse autoencoder: {@code (z_pre, z) = encoder(x)}, {@code x_hat = z @ D}. With the
 * default linear encoder {@code z = relu(x W^T + b)}; sparsity comes from the loss (for example
 * {@code mse_l1}).
 *
 * <p>Reference: overcomplete's {@code SAE}; the classic formulation is Bricken et al. (2023),
 * "Towards Monosemanticity: Decomposing Language Models With Dictionary Learning".
 */
public final class Sae extends SparseAutoencoder {

    Sae(ModelSpec spec, ModelParts parts) {
        super(spec, parts);
    }

    /** ReLU codes: few are non-zero once the loss's penalty has made them sparse. */
    @Override
    protected boolean choosesPathByDensity() {
        return true;
    }
}
