package dev.saekit.onnx;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A named tensor of a model: its element type and, when the model or ONNX Runtime's shape
 * inference knows it, its shape. Each dimension is a number ({@code "120"}), a symbol the model
 * names ({@code "N"}) or {@code "?"}.
 */
public record TensorSpec(String name, ElementType type, Optional<List<String>> dims) {
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = dims.map(List::copyOf);
    }

    /** A tensor of which nothing but the name is known. */
    public static TensorSpec unknown(String name) {
        return new TensorSpec(name, ElementType.UNDEFINED, Optional.empty());
    }

    /** {@code [N, 3, 48, ?]}, or {@code ?} when not even the rank is known. */
    public String shapeText() {
        return dims.map(d -> "[" + String.join(", ", d) + "]").orElse("?");
    }

    /** The size of the last dimension when it is a fixed number. */
    public Optional<Long> lastDim() {
        return dims.filter(d -> !d.isEmpty())
                .map(d -> d.get(d.size() - 1))
                .filter(s -> s.chars().allMatch(Character::isDigit))
                .map(Long::parseLong);
    }

    /** {@code name float [N, 3, 48, ?]}. */
    @Override
    public String toString() {
        return name + " " + type + " " + shapeText();
    }
}
