package dev.saekit.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Typed reads of JSON fields for the codecs of this package: each names the field by its full path
 * ({@code training config: field 'loss.terms[1].weight' must be a number, was "x"}) and throws an
 * {@link IllegalArgumentException}.
 */
final class JsonFields {
    private final String what;

    /** @param what the document, as errors name it ({@code training config}) */
    JsonFields(String what) {
        this.what = what;
    }

    /** {@code path.name}, or {@code name} at the top. */
    static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    IllegalArgumentException error(String path, String message) {
        return new IllegalArgumentException(what + ": field '" + path + "' " + message);
    }

    JsonNode field(JsonNode n, String path, String name) {
        JsonNode f = n == null ? null : n.get(name);
        if (f == null || f.isNull()) {
            throw new IllegalArgumentException(what + ": missing field '" + join(path, name) + "'");
        }
        return f;
    }

    JsonNode object(JsonNode n, String path, String name) {
        JsonNode f = field(n, path, name);
        if (!f.isObject()) {
            throw error(join(path, name), "must be an object, was " + f);
        }
        return f;
    }

    String text(JsonNode n, String path, String name) {
        JsonNode f = field(n, path, name);
        if (!f.isTextual()) {
            throw error(join(path, name), "must be a string, was " + f);
        }
        return f.asText();
    }

    /** The text of {@code name}, or null when it is missing or null. */
    String optionalText(JsonNode n, String path, String name) {
        JsonNode f = n.get(name);
        return f == null || f.isNull() ? null : text(n, path, name);
    }

    int integer(JsonNode n, String path, String name) {
        JsonNode f = field(n, path, name);
        if (!f.isIntegralNumber() || !f.canConvertToInt()) {
            throw error(join(path, name), "must be an integer, was " + f);
        }
        return f.asInt();
    }

    long longValue(JsonNode n, String path, String name) {
        JsonNode f = field(n, path, name);
        if (!f.isIntegralNumber() || !f.canConvertToLong()) {
            throw error(join(path, name), "must be an integer, was " + f);
        }
        return f.asLong();
    }

    double number(JsonNode n, String path, String name) {
        JsonNode f = field(n, path, name);
        if (!f.isNumber()) {
            throw error(join(path, name), "must be a number, was " + f);
        }
        return f.asDouble();
    }

    boolean bool(JsonNode n, String path, String name) {
        JsonNode f = field(n, path, name);
        if (!f.isBoolean()) {
            throw error(join(path, name), "must be true or false, was " + f);
        }
        return f.asBoolean();
    }

    JsonNode array(JsonNode n, String path, String name) {
        JsonNode f = field(n, path, name);
        if (!f.isArray()) {
            throw error(join(path, name), "must be a list, was " + f);
        }
        return f;
    }

    List<Double> numbers(JsonNode n, String path, String name) {
        List<Double> out = new ArrayList<>();
        JsonNode a = array(n, path, name);
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isNumber()) {
                throw error(join(path, name) + "[" + i + "]", "must be a number, was " + a.get(i));
            }
            out.add(a.get(i).asDouble());
        }
        return out;
    }

    List<String> texts(JsonNode n, String path, String name) {
        List<String> out = new ArrayList<>();
        JsonNode a = array(n, path, name);
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isTextual()) {
                throw error(join(path, name) + "[" + i + "]", "must be a string, was " + a.get(i));
            }
            out.add(a.get(i).asText());
        }
        return out;
    }

    /** One of {@code accepted} (the JSON names of {@code values}, lower case); the error lists them. */
    <E extends Enum<E>> E choice(JsonNode n, String path, String name, E[] values, Function<E, String> label) {
        String v = text(n, path, name);
        List<String> names = new ArrayList<>();
        for (E e : values) {
            if (label.apply(e).equals(v)) {
                return e;
            }
            names.add(label.apply(e));
        }
        throw error(join(path, name), "must be one of " + String.join(", ", names) + ", was '" + v + "'");
    }

    /** The lower-case name of an enum constant, as these documents write it. */
    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Runs {@code build} (a record's constructor), giving the error of a value the record refuses
     * the path of the object it came from.
     */
    <T> T build(String path, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(what + ": ")) {
                throw e; // a field's own error, already named
            }
            throw new IllegalArgumentException(
                    what + ": " + (path.isEmpty() ? "" : "'" + path + "': ") + e.getMessage(), e);
        }
    }
}
