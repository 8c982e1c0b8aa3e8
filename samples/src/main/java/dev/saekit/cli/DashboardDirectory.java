package dev.saekit.cli;

import dev.saekit.dashboard.ConceptSite;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The directory of a dashboard ({@code dashboard --out}): the site ({@code index.html}, {@code
 * concepts/}, {@code data/}, {@code assets/} and its record) and the scan's saved state ({@code
 * scan/}), which the next dashboard with the same options continues or reuses. A dashboard never
 * mixes its files with anything else's.
 */
final class DashboardDirectory {
    private DashboardDirectory() {}

    /**
     * Makes {@code out} ready: new or empty, or an earlier dashboard (whose scan is continued unless
     * {@code overwrite}, which deletes its entries); a file or a directory that holds anything else
     * is refused.
     */
    static void prepare(Path out, boolean overwrite) throws CliException, IOException {
        if (!Files.exists(out)) {
            return;
        }
        if (!Files.isDirectory(out)) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE, "--out " + out + " is a file; give a directory (new or empty)");
        }
        List<String> entries;
        try (Stream<Path> s = Files.list(out)) {
            entries = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (entries.isEmpty()) {
            return;
        }
        boolean ours = entries.contains("scan") || entries.contains(ConceptSite.RECORD);
        List<String> known =
                List.of("scan", ConceptSite.RECORD, "index.html", "concepts", "data", "assets", ".writing");
        List<String> foreign = entries.stream().filter(e -> !known.contains(e)).toList();
        if (!ours || !foreign.isEmpty()) {
            throw new CliException(
                    SaekitCli.EXIT_USAGE,
                    "--out " + out + " is not empty and is not a saekit dashboard ("
                            + String.join(
                                    ", ",
                                    (foreign.isEmpty() ? entries : foreign)
                                            .subList(0, Math.min(5, (foreign.isEmpty() ? entries : foreign).size())))
                            + "); give a new or empty directory");
        }
        if (overwrite) {
            for (String e : entries) {
                RunDirectory.deleteTree(out.resolve(e));
            }
        }
    }
}
