package dev.saekit.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A directory of tapped activations with its {@link ActivationManifest} ({@code saekit harvest},
 * {@code saekit extract-ocr}) read as training data: one tap's shards, in the manifest's order. A
 * directory that holds one tap needs no name; one that holds several is told which by the tap's
 * name ({@code residual:3}), its directory name ({@code residual_3}), or, when the choice is missing
 * or wrong, says which there are.
 */
final class ActivationDirectory {
    private ActivationDirectory() {}

    /** One tap's shard files, and a description of them for logs and errors. */
    record Selection(String description, List<Path> files) {}

    static Selection select(Path dir, String tap) throws IOException {
        ActivationManifest manifest = ActivationManifest.read(dir);
        List<ActivationManifest.Tap> taps = manifest.taps();
        if (taps.isEmpty()) {
            throw new IllegalArgumentException(dir + " holds no tap (its " + ActivationManifest.FILE_NAME
                    + " lists none): extract or harvest into it again");
        }
        ActivationManifest.Tap chosen = null;
        if (tap == null) {
            if (taps.size() > 1) {
                throw new IllegalArgumentException(dir + " holds " + taps.size() + " taps (" + names(taps)
                        + "): choose one by name (--name on the command line, the name argument elsewhere)");
            }
            chosen = taps.get(0);
        } else {
            for (ActivationManifest.Tap t : taps) {
                if (t.name().equals(tap) || t.directory().equals(tap)) {
                    chosen = t;
                }
            }
            if (chosen == null) {
                throw new IllegalArgumentException(
                        dir + " has no tap " + Text.quote(tap) + "; it holds " + names(taps));
            }
        }
        if (chosen.shards().isEmpty()) {
            throw new IllegalArgumentException(
                    "tap " + Text.quote(chosen.name()) + " of " + dir + " has no finished shard yet"
                            + (manifest.complete() ? "" : ": resume the harvest that writes it"));
        }
        List<Path> files = new ArrayList<>(chosen.shards().size());
        Path base = dir.resolve(chosen.directory());
        for (ActivationManifest.Shard s : chosen.shards()) {
            files.add(base.resolve(s.file()));
        }
        String description = String.format(
                Locale.ROOT,
                "%s (tap %s, %d shards%s)",
                dir,
                chosen.name(),
                files.size(),
                manifest.complete() ? "" : ", an unfinished harvest");
        return new Selection(description, files);
    }

    private static String names(List<ActivationManifest.Tap> taps) {
        return String.join(", ", taps.stream().map(t -> Text.quote(t.name())).toList());
    }
}
