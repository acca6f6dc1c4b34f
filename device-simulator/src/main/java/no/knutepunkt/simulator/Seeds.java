package no.knutepunkt.simulator;

import java.util.SplittableRandom;

/**
 * Random streams that depend only on what they are for (the seed, a patient, a day, a kind, an
 * instant), never on what was drawn before: so patient 7 is the same whether the pilot has 10 or
 * 50 patients, and a reading at an instant has the same value in every run with the seed.
 */
final class Seeds {

    private Seeds() {
    }

    static SplittableRandom random(long... parts) {
        return new SplittableRandom(mix(parts));
    }

    /** SplitMix64's finaliser over the parts, one after the other. */
    static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h ^= p;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
            h *= 0x94D049BB133111EBL;
            h ^= h >>> 29;
        }
        return h;
    }

    /** A normal deviate with standard deviation {@code sd}, never beyond {@code limit} standard deviations. */
    static double noise(SplittableRandom r, double sd, double limit) {
        double g;
        do {
            g = r.nextGaussian();
        } while (Math.abs(g) > limit);
        return g * sd;
    }
}
