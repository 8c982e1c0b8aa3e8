package dev.saekit.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed, checked reads of one JSON object of a spec: each read names the field that is missing or
 * of the wrong type, under {@code path} (e.g. {@code model spec}).
 */
public final class SpecFields {
    private final JsonNode node;
    private final String path;

    public SpecFields(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(path + ": must be a JSON object, was " + node);
        }
        this.node = node;
        this.path = path;
    }

    /** The names of the fields present. */
    public List<String> names() {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    public boolean has(String name) {
        JsonNode f = node.get(name);
        return f != null && !f.isNull();
    }

    /** The object under {@code name}, to read in turn. */
    public SpecFields object(String name) {
        return new SpecFields(field(name), path);
    }

    public JsonNode field(String name) {
        JsonNode f = node.get(name);
        if (f == null || f.isNull()) {
            throw new IllegalArgumentException(path + ": missing field '" + name + "'");
        }
        return f;
    }

    public String text(String name) {
        JsonNode f = field(name);
        if (!f.isTextual()) {
            throw wrong(name, "a string", f);
        }
        return f.asText();
    }

    public int integer(String name) {
        JsonNode f = field(name);
        if (!f.isIntegralNumber() || !f.canConvertToInt()) {
            throw wrong(name, "an integer", f);
        }
        return f.asInt();
    }

    public long longValue(String name) {
        JsonNode f = field(name);
        if (!f.isIntegralNumber() || !f.canConvertToLong()) {
            throw wrong(name, "an integer", f);
        }
        return f.asLong();
    }

    public double number(String name) {
        JsonNode f = field(name);
        if (!f.isNumber()) {
            throw wrong(name, "a number", f);
        }
        return f.asDouble();
    }

    /** A number, or null when the field is missing or JSON null (a setting that is off). */
    public Double numberOrNull(String name) {
        return has(name) ? number(name) : null;
    }

    public boolean bool(String name) {
        JsonNode f = field(name);
        if (!f.isBoolean()) {
            throw wrong(name, "true or false", f);
        }
        return f.asBoolean();
    }

    public List<Integer> integers(String name) {
        JsonNode f = field(name);
        if (!f.isArray()) {
            throw wrong(name, "a list of integers", f);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode x : f) {
            if (!x.isIntegralNumber() || !x.canConvertToInt()) {
                throw new IllegalArgumentException(path + ": field '" + name + "' must hold integers, has " + x);
            }
            out.add(x.asInt());
        }
        return out;
    }

    private IllegalArgumentException wrong(String name, String what, JsonNode was) {
        return new IllegalArgumentException(path + ": field '" + name + "' must be " + what + ", was " + was);
    }
}
