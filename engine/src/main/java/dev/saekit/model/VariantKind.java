package dev.saekit.model;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A kind of variant: what every spec record of one variant shares. Each record declares its kind
 * as a {@code public static final VariantKind KIND}; the registry is the sealed
 * {@link VariantSpec}'s {@code permits} list, read once, so a variant is registered by being listed there.
 *
 * @param name        the name in configs, checkpoints and on the command line ({@code topk})
 * @param description one line for help texts
 * @param settings    the names of its settings in JSON (and, with '-' for '_', its command-line options)
 * @param defaults    the spec with every setting at its default, for a model of the given config
 * @param reader      the spec from its JSON settings; every setting is required there
 */
public record VariantKind(
        String name,
        String description,
        List<String> settings,
        Function<SaeConfig, VariantSpec> defaults,
        Function<SpecFields, VariantSpec> reader) {

    public VariantKind {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        settings = List.copyOf(settings);
        Objects.requireNonNull(defaults, "defaults");
        Objects.requireNonNull(reader, "reader");
    }

    private static final class Registry {
        static final List<VariantKind> ALL = Arrays.stream(VariantSpec.class.getPermittedSubclasses())
                .map(Registry::kindOf)
                .toList();

        private static VariantKind kindOf(Class<?> spec) {
            try {
                Field f = spec.getField("KIND");
                if (!Modifier.isStatic(f.getModifiers()) || f.getType() != VariantKind.class) {
                    throw new IllegalStateException(spec.getName() + ".KIND must be a static VariantKind");
                }
                return (VariantKind) f.get(null);
            } catch (NoSuchFieldException | IllegalAccessException e) {
                throw new IllegalStateException(
                        spec.getName() + " must declare public static final VariantKind KIND", e);
            }
        }
    }

    static List<VariantKind> all() {
        return Registry.ALL;
    }

    /** Whether this variant reads the setting {@code setting} (a JSON name, e.g. {@code max_iter}). */
    public boolean reads(String setting) {
        return settings.contains(setting);
    }

    @Override
    public String toString() {
        return name;
    }
}
