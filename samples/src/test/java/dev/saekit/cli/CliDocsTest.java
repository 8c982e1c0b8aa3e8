package dev.saekit.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

/** docs/cli.md documents every option a user meets. */
class CliDocsTest {

    @Test
    void everyTrainOptionIsInTheCommandLineReference() throws IOException {
        Path doc = Path.of("..", "docs", "cli.md");
        String text = Files.readString(doc);
        CliRun run = CliRun.of("train", "--help");
        for (OptionSpec o : run.train().spec.options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            String name = o.longestName();
            assertTrue(text.contains("`" + name) || text.contains("`--[no-]" + name.replace("--no-", "").substring(2)),
                    name + " is not documented in " + doc.toAbsolutePath());
        }
    }
}
