package no.knutepunkt.simulator;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generates the simulated pilot from a seed. Programmes cycle COPD, heart failure, hypertension,
 * diabetes and vendors cycle nordic-telecare, acme-medical, medgw, so any 12 consecutive patients
 * hold every combination. The script's roles go to the first patients that fit, so they all exist
 * from 10 patients on:
 * <ul>
 * <li>the first patient of each programme gets its episode (COPD exacerbation, fluid retention,
 * hypertensive spike, hypoglycaemia);</li>
 * <li>the first patient without a role stops measuring;</li>
 * <li>the first medgw patient without a role has a device behind the gateway with a factory-default
 * clock;</li>
 * <li>the first heart-failure patient without a role has a scale set to pounds.</li>
 * </ul>
 * Episodes are placed relative to the anchor (normally the simulator's start), so that a run that
 * starts some days back shows them developing and still going on when simulated time reaches now.
 */
public final class PilotPlan {

    static final ZoneId OSLO = ZoneId.of("Europe/Oslo");

    private static final String[] WOMEN = { "Kari", "Ingrid", "Anne", "Liv", "Eva", "Marit", "Solveig", "Berit", "Astrid", "Randi",
            "Gerd", "Inger", "Bjørg", "Turid", "Aud", "Ragnhild" };
    private static final String[] MEN = { "Ola", "Per", "Jan", "Arne", "Knut", "Bjørn", "Svein", "Odd", "Terje", "Kjell", "Rolf",
            "Geir", "Trond", "Leif", "Egil", "Harald" };
    private static final String[] FAMILIES = { "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
            "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen",
            "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg" };

    private PilotPlan() {
    }

    public static SimulatedPilot generate(long seed, int patientCount, Instant anchor) {
        if (patientCount < 1) {
            throw new IllegalArgumentException("at least one patient");
        }
        LocalDate today = anchor.atZone(OSLO).toLocalDate();
        String tag = tag(seed);
        Set<String> numbers = new HashSet<>();
        boolean[] episodeGiven = new boolean[Programme.values().length];
        boolean stopsGiven = false;
        boolean clockGiven = false;
        boolean poundsGiven = false;
        List<SimulatedPatient> patients = new ArrayList<>();
        for (int i = 0; i < patientCount; i++) {
            SplittableRandom r = Seeds.random(seed, 0x5eed, i);
            Programme programme = Programme.values()[i % Programme.values().length];
            SimulatedVendor vendor = SimulatedVendor.values()[i % SimulatedVendor.values().length];
            String number;
            do {
                number = SyntheticNationalIds.fodselsnummer(r);
            } while (!numbers.add(number));
            String given = SyntheticNationalIds.isWoman(number) ? pick(r, WOMEN) : pick(r, MEN);
            String family = pick(r, FAMILIES);

            Episode episode = null;
            Instant stops = null;
            boolean clock = false;
            boolean pounds = false;
            if (!episodeGiven[programme.ordinal()]) {
                episodeGiven[programme.ordinal()] = true;
                episode = firstEpisode(programme, today);
            } else if (!stopsGiven) {
                stopsGiven = true;
                stops = at(today.minusDays(3), LocalTime.MIDNIGHT);
            } else if (!clockGiven && vendor == SimulatedVendor.MEDGW) {
                clockGiven = true;
                clock = true;
            } else if (!poundsGiven && programme == Programme.HEART_FAILURE) {
                poundsGiven = true;
                pounds = true;
            }
            patients.add(new SimulatedPatient(i, number, given, family, programme, vendor, devices(vendor, programme, tag, i, clock, pounds),
                    baseline(r, programme), episode, stops));
        }
        return new SimulatedPilot(seed, anchor, patients);
    }

    private static Episode firstEpisode(Programme programme, LocalDate today) {
        return switch (programme) {
            // Still at its worst when simulated time reaches now: SpO2 at 86-89 % since yesterday.
            case COPD -> new Episode(Episode.Kind.COPD_EXACERBATION, at(today.minusDays(4), LocalTime.of(6, 0)));
            // +2.5 kg reached this morning.
            case HEART_FAILURE -> new Episode(Episode.Kind.FLUID_RETENTION, at(today.minusDays(3), LocalTime.of(6, 0)));
            case HYPERTENSION -> new Episode(Episode.Kind.HYPERTENSIVE_SPIKE, at(today.minusDays(1), LocalTime.MIDNIGHT));
            // Woke in the night, sweaty and shaky.
            case DIABETES -> new Episode(Episode.Kind.HYPOGLYCAEMIA, at(today.minusDays(2), LocalTime.of(3, 10)));
        };
    }

    private static List<PatientDevice> devices(SimulatedVendor vendor, Programme programme, String tag, int i, boolean clock,
            boolean pounds) {
        List<PatientDevice> devices = new ArrayList<>();
        if (vendor == SimulatedVendor.MEDGW) {
            devices.add(new PatientDevice(vendor, DeviceType.GATEWAY, serial(vendor, DeviceType.GATEWAY, tag, i), false, false));
        }
        List<DeviceType> types = programme.devices();
        for (int d = 0; d < types.size(); d++) {
            DeviceType type = types.get(d);
            // The clock fault sits on the patient's last device: for heart failure the BP cuff, not the scale.
            boolean faultyClock = clock && d == types.size() - 1;
            devices.add(new PatientDevice(vendor, type, serial(vendor, type, tag, i), pounds && type == DeviceType.SCALE, faultyClock));
        }
        return devices;
    }

    private static Baseline baseline(SplittableRandom r, Programme p) {
        boolean copd = p == Programme.COPD;
        return new Baseline(
                copd ? between(r, 92, 95) : between(r, 96, 98),
                between(r, 62, 80) + (copd ? 6 : 0),
                between(r, 36.5, 36.9),
                p == Programme.HEART_FAILURE ? between(r, 70, 110) : between(r, 58, 105),
                p == Programme.HYPERTENSION ? between(r, 140, 156) : between(r, 118, 134),
                p == Programme.HYPERTENSION ? between(r, 86, 94) : between(r, 70, 80),
                p == Programme.DIABETES ? between(r, 5.8, 7.8) : between(r, 5.0, 5.6));
    }

    /** Three characters from the seed in every serial, so pilots of different seeds never share a device. */
    static String tag(long seed) {
        String t = Long.toString(Math.floorMod(Seeds.mix(seed, 0x7a9), 36 * 36 * 36), 36).toUpperCase(Locale.ROOT);
        return "0".repeat(3 - t.length()) + t;
    }

    private static String serial(SimulatedVendor vendor, DeviceType type, String tag, int i) {
        return String.format(Locale.ROOT, "%s-%s-%s%04d", vendor.serialPrefix(), type.code(), tag, i);
    }

    static Instant at(LocalDate day, LocalTime time) {
        return day.atTime(time).atZone(OSLO).toInstant();
    }

    private static double between(SplittableRandom r, double lo, double hi) {
        return lo + r.nextDouble() * (hi - lo);
    }

    private static String pick(SplittableRandom r, String[] names) {
        return names[r.nextInt(names.length)];
    }
}
