package dev.saekit.io;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Close names for an error message about a name that does not exist, and the edit distance behind them. */
public final class Names {
    private Names() {}

    /** Up to {@code limit} of {@code candidates} nearest to {@code wanted}: containing it first, then by edit distance. */
    public static List<String> closest(String wanted, Collection<String> candidates, int limit) {
        String w = wanted.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .sorted(Comparator.<String>comparingInt(
                                c -> c.toLowerCase(Locale.ROOT).contains(w) ? 0 : 1)
                        .thenComparingInt(c -> distance(w, c.toLowerCase(Locale.ROOT)))
                        .thenComparing(Comparator.naturalOrder()))
                .limit(limit)
                .toList();
    }

    /** Levenshtein distance. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
