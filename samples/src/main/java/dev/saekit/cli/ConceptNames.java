package dev.saekit.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The file of {@code dashboard --names}: a name for each of some concepts, one {@code
 * CONCEPT<TAB>NAME} line each (UTF-8); blank lines and lines starting with {@code #} are skipped.
 * An error names the file, the line and what is wrong with it.
 */
final class ConceptNames {
    private ConceptNames() {}

    /** The names in {@code file} by concept, each checked to be one of the SAE's {@code concepts}. */
    static Map<Integer, String> read(Path file, int concepts) throws CliException, IOException {
        if (!Files.isRegularFile(file)) {
            throw new CliException(SaekitCli.EXIT_INPUT, "--names " + file + ": file not found");
        }
        Map<Integer, String> out = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int tab = line.indexOf('\t');
            String where = "--names " + file + " line " + (i + 1) + ": ";
            if (tab < 0) {
                throw new CliException(SaekitCli.EXIT_INPUT, where + "expected CONCEPT<TAB>NAME, found no tab");
            }
            String field = line.substring(0, tab).strip();
            int concept;
            try {
                concept = Integer.parseInt(field);
            } catch (NumberFormatException e) {
                throw new CliException(SaekitCli.EXIT_INPUT, where + "the concept '" + field + "' is not a number");
            }
            if (concept < 0 || concept >= concepts) {
                throw new CliException(
                        SaekitCli.EXIT_INPUT,
                        where + "concept " + concept + " is not one of the SAE's concepts 0.." + (concepts - 1));
            }
            out.put(concept, line.substring(tab + 1).strip());
        }
        return out;
    }
}
