package dev.saekit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.function.Executable;

/** Checks shared by the per-variant spec tests: a rejected setting, the JSON round trip. */
final class SpecChecks {
    private SpecChecks() {}

    /**
     * Asserts that {@code make} throws an {@link InvalidSettingException} for {@code owner.setting}
     * whose message is exactly {@code "owner.setting must be requirement, was value"}.
     */
    static InvalidSettingException rejects(
            Executable make, String owner, String setting, String value, String requirement) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, make);
        assertEquals(owner, e.owner());
        assertEquals(setting, e.setting());
        assertEquals(requirement, e.requirement());
        assertEquals(value, String.valueOf(e.value()));
        assertEquals(owner + "." + setting + " must be " + requirement + ", was " + value, e.getMessage());
        return e;
    }

    /** Writes {@code spec} as JSON, asserts that it reads back equal, and returns the JSON (to check its fields). */
    static ObjectNode roundTrip(VariantSpec spec) {
        ObjectNode json = VariantSpec.toJson(spec, JsonNodeFactory.instance.objectNode());
        assertEquals(spec.name(), json.get("name").asText());
        assertEquals(spec, VariantSpec.fromJson(json, "variant"));
        return json;
    }
}
