package dev.saekit.spark;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options of a single-machine command as parsed on the driver, by name, to set on a fresh
 * instance of that command in a task: paths travel as strings, every other value as it is. A task
 * so opens its model and data exactly as the command does.
 */
final class CommandOptions {
    private CommandOptions() {}

    /** The values of {@code spec}'s options that {@code command} (a fresh single-machine command) has too. */
    static HashMap<String, Object> of(CommandSpec spec, Object command) {
        Set<String> known =
                new CommandLine(command).getCommandSpec().optionsMap().keySet();
        HashMap<String, Object> values = new HashMap<>();
        for (OptionSpec o : spec.options()) {
            if (known.contains(o.longestName()) && !o.usageHelp() && !o.versionHelp()) {
                Object v = o.getValue();
                values.put(o.longestName(), v instanceof Path p ? p.toString() : v);
            }
        }
        return values;
    }

    /** {@code command} (a fresh single-machine command) with its options set to {@code values}. */
    static <T> T apply(Map<String, Object> values, T command) {
        CommandLine cl = new CommandLine(command);
        for (Map.Entry<String, Object> e : values.entrySet()) {
            OptionSpec o = cl.getCommandSpec().findOption(e.getKey());
            Object v = e.getValue();
            o.setValue(o.type() == Path.class && v != null ? Path.of((String) v) : v);
        }
        return command;
    }
}
