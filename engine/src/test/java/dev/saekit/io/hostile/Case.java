package dev.saekit.io.hostile;

import java.util.ArrayList;
import java.util.List;

/**
 * One file (or directory, or glob) of the hostile corpus, what it exercises and what every reader
 * must make of it.
 *
 * @param path     where it is, relative to the corpus directory (a glob for the glob cases)
 * @param category what it exercises, {@code reader: defect} (e.g. {@code npz: overlapping members})
 * @param expect   what reading it must give
 * @param name     the {@code --name} to read it with, or null
 * @param rowAxes  the {@code --row-axes} to read it with
 */
public record Case(String path, String category, Expect expect, String name, int rowAxes) {

    /** What the readers must make of a case. */
    public enum Expect {
        /** Valid by construction: described, loaded, streamed; {@code saekit data-info} and {@code train} exit 0. */
        VALID,
        /** A valid file whose values cannot be trained on (NaN, infinity, beyond float32, empty): described, not trained on. */
        BAD_VALUES,
        /** Refused with one clear error by every reader, before any statistics. */
        REFUSED,
        /** Depends on the machine (a file without read permission is readable by root): any clear outcome. */
        EITHER
    }

    /** The extra command-line options of the case: {@code --name N}, {@code --row-axes K}. */
    public List<String> options() {
        List<String> o = new ArrayList<>();
        if (name != null) {
            o.add("--name");
            o.add(name);
        }
        if (rowAxes != 1) {
            o.add("--row-axes");
            o.add(String.valueOf(rowAxes));
        }
        return o;
    }

    /** The manifest line: path, category, expectation, options (tab-separated). */
    public String manifestLine() {
        return path + "\t" + category + "\t" + expect + "\t" + String.join(" ", options());
    }
}
