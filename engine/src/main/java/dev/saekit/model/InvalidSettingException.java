package dev.saekit.model;

/**
 * A setting out of its range: names the variant (or part) that owns it, the setting, the value and
 * what it must be, so that each front end can say it in its own words (the command line names its
 * option, the DSL its argument).
 */
public final class InvalidSettingException extends IllegalArgumentException {
    private final String owner;
    private final String setting;
    private final transient Object value;
    private final String requirement;

    /**
     * @param owner       e.g. {@code topk}
     * @param setting     the setting's JSON name, e.g. {@code k}
     * @param value       the value given
     * @param requirement what it must be, e.g. {@code in 1..512 (the number of concepts)}
     */
    public InvalidSettingException(String owner, String setting, Object value, String requirement) {
        super(owner + "." + setting + " must be " + requirement + ", was " + value);
        this.owner = owner;
        this.setting = setting;
        this.value = value;
        this.requirement = requirement;
    }

    public String owner() {
        return owner;
    }

    public String setting() {
        return setting;
    }

    public Object value() {
        return value;
    }

    public String requirement() {
        return requirement;
    }

    /** Throws unless {@code ok}. */
    static void require(boolean ok, String owner, String setting, Object value, String requirement) {
        if (!ok) {
            throw new InvalidSettingException(owner, setting, value, requirement);
        }
    }
}
