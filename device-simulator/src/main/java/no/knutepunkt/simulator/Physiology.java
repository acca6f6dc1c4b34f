package no.knutepunkt.simulator;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import no.knutepunkt.simulator.Payloads.Measured;

/**
 * What a patient's body shows a device at a given instant: the patient's baseline, the daily
 * rhythm (blood pressure peaks mid-morning, temperature in the early evening, weight is lowest in
 * the morning, glucose follows meals), an episode when one is under way, and measurement noise.
 * <p>
 * {@link #trend} is the value without noise, so tests can check an episode's shape exactly. The
 * noise is bounded (a truncated normal), and drawn from the seed, the patient, the kind and the
 * instant only: the same reading has the same value in every run.
 */
public final class Physiology {

    /** Where the COPD exacerbation takes SpO2, in the middle of 86-89 %. */
    static final double EXACERBATION_SPO2 = 87.5;
    static final double FLUID_RETENTION_KG = 2.5;
    static final double SPIKE_SYSTOLIC = 198;
    static final double SPIKE_DIASTOLIC = 116;
    static final double HYPO_GLUCOSE = 2.8;
    static final double AFTER_SUGAR_GLUCOSE = 4.5;

    private final long seed;

    public Physiology(long seed) {
        this.seed = seed;
    }

    /** The values the device reads at {@code t}, in canonical units, rounded as the device shows them. */
    public List<Measured> read(SimulatedPatient p, DeviceType device, Instant t) {
        List<Measured> values = new ArrayList<>();
        switch (device) {
            case PULSE_OXIMETER -> {
                values.add(new Measured("spo2", spo2(p, t)));
                values.add(new Measured("pulse", Math.round(value(p, "pulse", t))));
            }
            case THERMOMETER -> values.add(new Measured("temperature", tenths(value(p, "temperature", t))));
            case SCALE -> values.add(new Measured("weight", tenths(value(p, "weight", t))));
            case BP_CUFF -> {
                long sys = Math.round(value(p, "systolic", t));
                // A cuff never reports a diastolic pressure close to the systolic.
                long dia = Math.min(Math.round(value(p, "diastolic", t)), sys - 25);
                values.add(new Measured("systolic", sys));
                values.add(new Measured("diastolic", dia));
                values.add(new Measured("mean-arterial", Math.round(dia + (sys - dia) / 3.0)));
                values.add(new Measured("pulse", Math.round(value(p, "pulse", t))));
            }
            case GLUCOMETER -> values.add(new Measured("glucose", tenths(Math.max(1.5, value(p, "glucose", t)))));
            case GATEWAY -> throw new IllegalArgumentException("a gateway measures nothing");
        }
        return values;
    }

    /** SpO2 as an oximeter shows it: whole percent, at most 100; during the exacerbation's plateau within 86-89. */
    private long spo2(SimulatedPatient p, Instant t) {
        double v = value(p, "spo2", t);
        if (p.episodeOf(Episode.Kind.COPD_EXACERBATION).map(e -> e.atPeak(t)).orElse(false)) {
            v = Math.max(86, Math.min(89, v));
        }
        return Math.min(100, Math.round(v));
    }

    /** The trend plus bounded noise. */
    double value(SimulatedPatient p, String kind, Instant t) {
        SplittableRandom r = Seeds.random(seed, p.index(), kind.hashCode(), t.getEpochSecond());
        boolean spike = p.episodeOf(Episode.Kind.HYPERTENSIVE_SPIKE).map(e -> e.atPeak(t)).orElse(false);
        double noise = switch (kind) {
            case "spo2" -> Seeds.noise(r, 0.8, 2);
            case "pulse" -> Seeds.noise(r, 3, 2.5);
            case "temperature" -> Seeds.noise(r, 0.12, 2);
            case "weight" -> Seeds.noise(r, 0.15, 2);
            case "systolic" -> spike ? Seeds.noise(r, 3, 2.5) : Seeds.noise(r, 5, 2);
            case "diastolic" -> spike ? Seeds.noise(r, 2.4, 2.5) : Seeds.noise(r, 3.5, 2);
            // Around the hypoglycaemia the script wants its numbers, not the meter's spread.
            case "glucose" -> inHypoglycaemiaOrRecheck(p, t) ? Seeds.noise(r, 0.1, 2) : Seeds.noise(r, 0.5, 2);
            default -> throw new IllegalArgumentException(kind);
        };
        return trend(p, kind, t) + noise;
    }

    /** The value without noise, in canonical units. */
    public double trend(SimulatedPatient p, String kind, Instant t) {
        Baseline b = p.baseline();
        ZonedDateTime local = t.atZone(PilotPlan.OSLO);
        double hour = local.getHour() + local.getMinute() / 60.0;
        double copd = p.episodeOf(Episode.Kind.COPD_EXACERBATION).map(e -> e.severity(t)).orElse(0.0);
        double fluid = p.episodeOf(Episode.Kind.FLUID_RETENTION).map(e -> e.severity(t)).orElse(0.0);
        boolean spike = p.episodeOf(Episode.Kind.HYPERTENSIVE_SPIKE).map(e -> e.atPeak(t)).orElse(false);
        return switch (kind) {
            case "spo2" -> {
                // Lower in the early morning, after lying down all night.
                double normal = b.spo2() - (hour < 9 ? 0.6 : 0);
                yield normal + (EXACERBATION_SPO2 - normal) * copd;
            }
            case "pulse" -> b.pulse() + 4 * rhythm(hour, 15) + 14 * copd + 5 * fluid;
            case "temperature" -> b.temperature() + 0.25 * rhythm(hour, 18) + 1.5 * copd;
            // Lightest in the morning; about half a kilo more by the evening.
            case "weight" -> b.weight() + 0.5 * Math.max(0, Math.min(1, (hour - 7) / 14)) + FLUID_RETENTION_KG * fluid;
            case "systolic" -> spike ? SPIKE_SYSTOLIC : b.systolic() + 7 * rhythm(hour, 10);
            case "diastolic" -> spike ? SPIKE_DIASTOLIC : b.diastolic() + 4 * rhythm(hour, 10);
            case "glucose" -> glucose(p, t, hour);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static double glucose(SimulatedPatient p, Instant t, double hour) {
        if (inHypoglycaemia(p, t)) {
            return HYPO_GLUCOSE;
        }
        if (inHypoglycaemiaOrRecheck(p, t)) {
            return AFTER_SUGAR_GLUCOSE;
        }
        // Fasting in the morning, higher through the day, highest after dinner.
        double meals = hour < 6 ? -0.3 : hour < 9 ? 0 : hour < 18 ? 0.8 : 2.2;
        return p.baseline().glucose() + meals;
    }

    private static boolean inHypoglycaemia(SimulatedPatient p, Instant t) {
        return p.episodeOf(Episode.Kind.HYPOGLYCAEMIA).map(e -> e.atPeak(t)).orElse(false);
    }

    /** From the low reading until well after the re-check (twice its delay). */
    private static boolean inHypoglycaemiaOrRecheck(SimulatedPatient p, Instant t) {
        return p.episodeOf(Episode.Kind.HYPOGLYCAEMIA)
                .map(e -> !t.isBefore(e.onset()) && t.isBefore(e.onset().plus(Episode.HYPO_RECHECK.multipliedBy(2)))).orElse(false);
    }

    /** A daily cosine, 1 at {@code peakHour}, -1 twelve hours later. */
    private static double rhythm(double hour, double peakHour) {
        return Math.cos(2 * Math.PI * (hour - peakHour) / 24);
    }

    private static double tenths(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
