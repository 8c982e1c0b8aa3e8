package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** docs/cli.md documents every command and every option a user meets. */
class CliDocsTest {

    @Test
    void everyCommandAndOptionIsInTheCommandLineReference() throws IOException {
        Path doc = Path.of("..", "docs", "cli.md");
        String text = Files.readString(doc);
        for (Map.Entry<String, CommandLine> command :
                new CommandLine(new SaekitCli()).getSubcommands().entrySet()) {
            if (command.getKey().equals("help")) {
                continue;
            }
            assertTrue(
                    text.contains("## `saekit " + command.getKey() + "`"),
                    "saekit " + command.getKey() + " has no section in " + doc.toAbsolutePath());
            for (OptionSpec o : command.getValue().getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp()) {
                    continue;
                }
                String name = o.longestName();
                assertTrue(
                        text.contains("`" + name)
                                || text.contains(
                                        "`--[no-]" + name.replace("--no-", "").substring(2)),
                        "saekit " + command.getKey() + " " + name + " is not documented in " + doc.toAbsolutePath());
            }
        }
    }
}
