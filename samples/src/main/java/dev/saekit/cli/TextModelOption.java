package dev.saekit.cli;

import dev.saekit.onnx.text.TextModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code --model}, {@code --tokenizer} and {@code --max-length} of the commands that run a text
 * model ({@code harvest}, {@code evaluate}): their help texts, and the model they name.
 */
public final class TextModelOption {
    /** {@code --model}'s name for all-MiniLM-L6-v2. */
    static final String MINILM = "minilm";

    /** What {@code --model} names, for a command's option description. */
    static final String MODEL_DESCRIPTION = "minilm (all-MiniLM-L6-v2, 6 layers, width 384, shipped in a Maven jar"
            + " and copied once to ~/.cache/saekit/models) or a BERT-style .onnx file (inputs input_ids,"
            + " attention_mask and perhaps token_type_ids) with --tokenizer";

    static final String TOKENIZER_DESCRIPTION = "The HuggingFace tokenizer.json of a model given as a file.";

    static final String MAX_LENGTH_DESCRIPTION =
            "Tokens per document at most, [CLS] and [SEP] included; the rest is cut off. Default: ${DEFAULT-VALUE}.";

    /** What {@code --tap} names, for a command's option description. */
    static final String TAP_DESCRIPTION = "Friendly names: embeddings, residual:i (after layer i), mlp_in:i,"
            + " mlp_hidden:i (after GELU), mlp_out:i (before the residual add); any tensor name works too (saekit"
            + " onnx-info --model minilm lists them).";

    private TextModelOption() {}

    /**
     * The model options as values another process can open again ({@link #open()}): a Spark
     * executor opens the very model its driver planned with.
     */
    public record Spec(String model, String tokenizer, int maxLength) implements java.io.Serializable {
        public TextModel open() throws CliException, IOException {
            return TextModelOption.open(model, tokenizer == null ? null : Path.of(tokenizer), maxLength);
        }
    }

    /** {@code model} ({@link #MINILM} or a file, with {@code tokenizer}), truncating texts to {@code maxLength} tokens. */
    static TextModel open(String model, Path tokenizer, int maxLength) throws CliException, IOException {
        Cli.require(maxLength >= 2, "--max-length must be >= 2 (room for [CLS] and [SEP]), was " + maxLength);
        if (model.equals(MINILM)) {
            Cli.require(tokenizer == null, "--tokenizer goes with a model file; minilm brings its own");
            return TextModel.minilm(maxLength);
        }
        Path file = Path.of(model);
        Cli.require(tokenizer != null, "--model " + model + " needs --tokenizer FILE (its tokenizer.json)");
        return TextModel.open(file, tokenizer, maxLength);
    }
}
