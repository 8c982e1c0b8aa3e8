package dev.saekit.model;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * What a {@link GradientCheck} found: per parameter, every entry's analytic and numeric gradient,
 * the parameter's measured finite-difference noise and the tolerance it gives.
 */
record GradientReport(List<ParameterReport> parameters, double noiseCeiling) {

    /** One compared entry (or direction) of a parameter. */
    record Entry(String name, double analytic, double numeric, double noise, double tolerance) {
        double difference() {
            return Math.abs(analytic - numeric);
        }

        boolean agrees() {
            return difference() <= tolerance;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%s: analytic %.12g, numeric %.12g, |difference| %.3g, noise %.3g,"
                            + " tolerance %.3g (%.0e relative + %.0f x noise)",
                    name,
                    analytic,
                    numeric,
                    difference(),
                    noise,
                    tolerance,
                    GradientCheck.RELATIVE_TOLERANCE,
                    GradientCheck.NOISE_MULTIPLE);
        }
    }

    /** One parameter: its entries and its noise, the largest spread of its entries' differences. */
    record ParameterReport(String name, double[] analytic, List<Entry> entries, double noise) {

        /**
         * Builds the report of a parameter from its analytic entries and, per entry, the central
         * differences at each step followed by the resolution of a difference (see {@link GradientCheck}).
         */
        static ParameterReport of(
                String name, double[] analytic, List<double[]> quotients, LongFunction<String> entryName) {
            double noise = 0;
            for (double[] q : quotients) {
                double[] steps = Arrays.copyOf(q, q.length - 1);
                double spread = Arrays.stream(steps).max().orElseThrow()
                        - Arrays.stream(steps).min().orElseThrow();
                noise = Math.max(noise, Math.max(spread, q[q.length - 1]));
            }
            Entry[] entries = new Entry[analytic.length];
            for (int i = 0; i < analytic.length; i++) {
                double a = analytic[i];
                double n = quotients.get(i)[0];
                double tolerance = GradientCheck.RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(n))
                        + GradientCheck.NOISE_MULTIPLE * noise;
                entries[i] = new Entry(entryName.apply(i), a, n, noise, tolerance);
            }
            return new ParameterReport(name, analytic, List.of(entries), noise);
        }

        /** The entry whose difference uses the largest share of its tolerance. */
        Entry worst() {
            return entries.stream()
                    .max(Comparator.comparingDouble(e -> e.difference() / e.tolerance()))
                    .orElseThrow();
        }

        double largestAnalytic() {
            return Arrays.stream(analytic).map(Math::abs).max().orElse(0);
        }

        /** Whether the largest analytic entry stands {@link GradientCheck#SIGNAL} noise tolerances above the noise. */
        boolean carriesGradient() {
            return largestAnalytic() > GradientCheck.SIGNAL * GradientCheck.NOISE_MULTIPLE * noise;
        }
    }

    /** The largest analytic or numeric gradient entry over every checked parameter. */
    double scale() {
        return parameters.stream()
                .flatMap(p -> p.entries().stream())
                .mapToDouble(e -> Math.max(Math.abs(e.analytic()), Math.abs(e.numeric())))
                .max()
                .orElse(0);
    }

    /** The largest noise of any checked parameter. */
    double noise() {
        return parameters.stream().mapToDouble(ParameterReport::noise).max().orElse(0);
    }

    /** Every entry within its tolerance, and every parameter's noise small enough to judge. */
    boolean agrees() {
        return tooNoisy().isEmpty()
                && parameters.stream().allMatch(p -> p.entries().stream().allMatch(Entry::agrees));
    }

    /** Parameters whose finite differences are too noisy to tell a right gradient from a wrong one. */
    List<ParameterReport> tooNoisy() {
        double ceiling = noiseCeiling * scale();
        return parameters.stream().filter(p -> !(p.noise() <= ceiling)).toList();
    }

    /** The entry that uses the largest share of its tolerance, over every parameter. */
    Entry worst() {
        return parameters.stream()
                .map(ParameterReport::worst)
                .max(Comparator.comparingDouble(e -> e.difference() / e.tolerance()))
                .orElseThrow();
    }

    int entriesChecked() {
        return parameters.stream().mapToInt(p -> p.entries().size()).sum();
    }

    /** Checked parameters whose gradient does not stand out of their finite-difference noise. */
    Set<String> withoutGradient() {
        return parameters.stream()
                .filter(p -> !p.carriesGradient())
                .map(ParameterReport::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    Optional<ParameterReport> parameter(String name) {
        return parameters.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The failure message: the worst entry with its noise and tolerance, and any parameter too noisy to judge. */
    String describe() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "%d entries checked; gradient scale %.3g; worst entry %s",
                entriesChecked(),
                scale(),
                parameters.isEmpty() ? "none" : worst()));
        for (ParameterReport p : tooNoisy()) {
            s.append(String.format(
                    Locale.ROOT,
                    "; %s is too noisy to judge: noise %.3g exceeds %.0e x gradient scale = %.3g",
                    p.name(),
                    p.noise(),
                    noiseCeiling,
                    noiseCeiling * scale()));
        }
        return s.toString();
    }
}
