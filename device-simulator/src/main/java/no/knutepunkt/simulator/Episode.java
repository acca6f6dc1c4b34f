package no.knutepunkt.simulator;

import java.time.Duration;
import java.time.Instant;

/**
 * A scripted episode a clinician would want to catch, and its shape over time: how far into it the
 * patient is (0 = not at all, 1 = fully) at a given instant. {@link Physiology} turns that into values.
 */
public record Episode(Kind kind, Instant onset) {

    public enum Kind {
        /** COPD: SpO2 drifts down to 86-89 % over 3 days, stays 3 days, recovers over 3; temperature and pulse up with it. */
        COPD_EXACERBATION,
        /** Heart failure: weight +2.5 kg over 3 days, stays 2 days, then diuretics take it off over 2 days. */
        FLUID_RETENTION,
        /** Hypertension: one day of blood pressure around 198/116. */
        HYPERTENSIVE_SPIKE,
        /** Diabetes: one glucose of about 2.8 mmol/L in the night, and 15 minutes later, after sugar, about 4.5. */
        HYPOGLYCAEMIA
    }

    /** The hypoglycaemia reading is taken at onset; the patient re-checks this long after, having eaten sugar. */
    public static final Duration HYPO_RECHECK = Duration.ofMinutes(15);

    /** 0..1: how far into the episode the patient is at {@code t}. */
    public double severity(Instant t) {
        double days = Duration.between(onset, t).toSeconds() / 86_400.0;
        return switch (kind) {
            case COPD_EXACERBATION -> trapezoid(days, 3, 3, 3);
            case FLUID_RETENTION -> trapezoid(days, 3, 2, 2);
            case HYPERTENSIVE_SPIKE -> days >= 0 && days < 1 ? 1 : 0;
            case HYPOGLYCAEMIA -> {
                long minutes = Duration.between(onset, t).toMinutes();
                yield minutes >= 0 && minutes < 10 ? 1 : 0;
            }
        };
    }

    /** Whether {@code t} lies in the episode's plateau (fully developed). */
    public boolean atPeak(Instant t) {
        return severity(t) >= 1;
    }

    /** Rises linearly over {@code rise} days, holds {@code hold}, falls over {@code fall}. */
    private static double trapezoid(double days, double rise, double hold, double fall) {
        if (days < 0) {
            return 0;
        }
        if (days < rise) {
            return days / rise;
        }
        if (days <= rise + hold) {
            return 1;
        }
        if (days < rise + hold + fall) {
            return 1 - (days - rise - hold) / fall;
        }
        return 0;
    }
}
