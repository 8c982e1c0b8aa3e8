package dev.saekit.train;

/**
 * When to re-initialise dead latents (Bricken et al. 2023, "Towards monosemanticity"; dictionary_learning's
 * {@code StandardTrainer.resample_neurons}): every {@code every} steps (at steps {@code every},
 * {@code 2 every}, ... of the run, 1-based), up to step {@code until} (0: the whole run), the latents
 * that did not fire since the previous resampling (or the start) are re-initialised towards badly
 * reconstructed rows of a seeded sample of {@code sampleRows} rows. See {@link DeadLatentResampler}.
 *
 * @param every      steps between resamplings ({@code >= 1})
 * @param until      the last step at which to resample, {@code >= 0}; 0 resamples during the whole run
 * @param sampleRows how many rows the resampling draws its inputs from ({@code >= 1})
 */
public record Resampling(long every, long until, int sampleRows) {
    /** Rows of the sample a resampling draws from, by default. */
    public static final int DEFAULT_SAMPLE_ROWS = 8192;

    public Resampling {
        if (every < 1) {
            throw new IllegalArgumentException("resampling every must be >= 1 step, was " + every);
        }
        if (until < 0) {
            throw new IllegalArgumentException("resampling until must be >= 0 (0: the whole run), was " + until);
        }
        if (sampleRows < 1) {
            throw new IllegalArgumentException("resampling sampleRows must be >= 1, was " + sampleRows);
        }
    }

    /** Every {@code every} steps during the whole run, from {@value #DEFAULT_SAMPLE_ROWS} rows. */
    public static Resampling every(long every) {
        return new Resampling(every, 0, DEFAULT_SAMPLE_ROWS);
    }

    /** Whether the run resamples after its 1-based step {@code step}. */
    public boolean at(long step) {
        return step % every == 0 && (until == 0 || step <= until);
    }
}
