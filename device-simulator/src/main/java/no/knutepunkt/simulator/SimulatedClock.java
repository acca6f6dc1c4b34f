package no.knutepunkt.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Simulated time for the realistic mode: it starts at {@code origin} (some days back) and runs
 * {@code factor} times faster than real time until it reaches now; from then on it is now. So a
 * demo shows days of history within minutes, and no measurement time ever lies in the future.
 */
public final class SimulatedClock {

    private final Clock real;
    private final Instant origin;
    private final Instant realStart;
    private final double factor;

    public SimulatedClock(Clock real, Instant origin, double factor) {
        if (factor < 1) {
            throw new IllegalArgumentException("the factor must be at least 1");
        }
        this.real = real;
        this.origin = origin;
        this.realStart = real.instant();
        this.factor = factor;
    }

    public Instant now() {
        Instant r = real.instant();
        // In seconds as doubles: nanoseconds times a large factor overflow a long within a day.
        double simulated = seconds(realStart, r) * factor;
        return simulated >= seconds(origin, r) ? r : origin.plusNanos((long) (simulated * 1e9));
    }

    /** The real instant at which simulated time reaches {@code t}. */
    public Instant realTimeOf(Instant t) {
        Instant compressed = realStart.plusNanos((long) (seconds(origin, t) / factor * 1e9));
        return compressed.isAfter(t) ? compressed : t;
    }

    /** Whether simulated time has caught up with real time. */
    public boolean caughtUp() {
        return !now().isBefore(real.instant().minusSeconds(1));
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    public Clock real() {
        return real;
    }
}
