package dev.saekit.io;

import dev.saekit.model.BatchTopKSae;
import dev.saekit.model.ModelSpec;
import dev.saekit.model.SparseAutoencoder;
import dev.saekit.tensor.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * overcomplete state dicts saved as safetensors ({@code safetensors.torch.save_file(model.state_dict())}):
 * saekit's parameter names ARE overcomplete's ({@code encoder.final_block.0.weight},
 * {@code dictionary._weights}, ...), so a state dict loads into the model its {@link ModelSpec}
 * describes. A state dict does not say which variant or {@code k} it was trained with: the caller
 * gives the spec. saekit's own buffers that overcomplete lacks ({@code running_threshold},
 * {@code dropout_rng_state}) are optional on import and left out on export, so that
 * {@code load_state_dict(strict=True)} accepts the file.
 */
public final class OvercompleteFormat {
    /** saekit buffers that overcomplete's modules do not have. */
    static final Set<String> SAEKIT_ONLY = Set.of(BatchTopKSae.RUNNING_THRESHOLD, "dropout_rng_state");

    private OvercompleteFormat() {}

    /** A model of {@code spec} with the weights of the state dict {@code file}. */
    public static SparseAutoencoder read(Path file, ModelSpec spec) throws IOException {
        SafetensorsFile header = Safetensors.header(file);
        Checkpoints.requireTensorsFit(spec, header, file, true); // before the model is allocated
        SparseAutoencoder model = spec.build();
        Checkpoints.loadWeights(file, model, true);
        return model;
    }

    /** Writes {@code model}'s state dict to {@code file} as safetensors, in the model's dtype. */
    public static void write(SparseAutoencoder model, Path file) throws IOException {
        write(model, file, null, 1.0);
    }

    /**
     * Writes the state dict of {@code model}, trained on inputs from which the mean row
     * {@code inputMean} was subtracted (null: none) and which were then multiplied by
     * {@code inputScale} (1: none), for RAW inputs: both are folded into the first layer the input
     * meets ({@link InputShift}), so the loaded model computes saekit's codes on raw inputs. overcomplete's models have no decoder bias: unless the encoder's own pre-bias carries
     * it (the MSAE Matryoshka), their reconstruction {@code z D} stays in the centred space. An
     * encoder with no bias to fold into (matching pursuit) is refused.
     */
    public static void write(SparseAutoencoder model, Path file, INDArray inputMean, double inputScale)
            throws IOException {
        Map<String, INDArray> folded =
                InputShift.transforms(inputMean, inputScale) ? InputShift.fold(model, inputMean, inputScale) : Map.of();
        Map<String, INDArray> state = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) {
            if (!SAEKIT_ONLY.contains(p.name())) {
                state.put(p.name(), folded.getOrDefault(p.name(), p.value()));
            }
        }
        Safetensors.write(
                file,
                state,
                Map.of(
                        "format",
                        "pt",
                        "saved_by",
                        "saekit " + model.spec().variant().name()));
    }
}
