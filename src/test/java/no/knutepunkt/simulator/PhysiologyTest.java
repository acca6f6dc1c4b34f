package no.knutepunkt.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import no.knutepunkt.simulator.Payloads.Measured;

/** The physiology over every session of a simulated week, for several seeds: plausible, rhythmic, and the episodes as scripted. */
class PhysiologyTest {

    private static final Instant ANCHOR = Instant.parse("2026-11-22T10:00:00Z");

    /** A reading as a device took it. */
    private record Taken(SimulatedPatient patient, Instant time, String kind, double value) {
    }

    /** What home devices show for people in follow-up: well inside clinical-coding.md's physically possible ranges. */
    private static final Map<String, double[]> PLAUSIBLE = Map.of(
            "spo2", new double[] { 84, 100 },
            "pulse", new double[] { 45, 125 },
            "temperature", new double[] { 35.8, 39.2 },
            "weight", new double[] { 50, 120 },
            "systolic", new double[] { 95, 210 },
            "diastolic", new double[] { 55, 125 },
            "mean-arterial", new double[] { 70, 155 },
            "glucose", new double[] { 2.4, 14 });

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 42, 2026 })
    void everyReadingOfAWeekIsPlausible(long seed) {
        List<Taken> week = week(PilotPlan.generate(seed, 50, ANCHOR));

        assertThat(week).hasSizeGreaterThan(1000);
        for (Taken t : week) {
            double[] range = PLAUSIBLE.get(t.kind());
            assertThat(t.value()).as("%s of %s at %s", t.kind(), t.patient().name(), t.time()).isBetween(range[0], range[1]);
        }
        // Blood pressure panels the hub accepts: diastolic below systolic, mean between.
        for (SimulatedPatient p : PilotPlan.generate(seed, 50, ANCHOR).patients()) {
            if (p.programme().devices().contains(DeviceType.BP_CUFF)) {
                List<Measured> bp = new Physiology(seed).read(p, DeviceType.BP_CUFF, ANCHOR);
                double sys = bp.get(0).value();
                double dia = bp.get(1).value();
                assertThat(dia).isLessThan(sys);
                assertThat(bp.get(2).value()).isBetween(dia, sys);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 2 })
    void theSameReadingHasTheSameValueInEveryRunAndReadingsVary(long seed) {
        SimulatedPilot pilot = PilotPlan.generate(seed, 12, ANCHOR);
        assertThat(week(pilot)).isEqualTo(week(PilotPlan.generate(seed, 12, ANCHOR)));
        SimulatedPatient scale = pilot.patients().stream().filter(p -> p.programme() == Programme.HEART_FAILURE && p.episode() == null)
                .findFirst().orElseThrow();
        List<Double> weights = week(pilot).stream().filter(t -> t.patient().equals(scale) && t.kind().equals("weight"))
                .map(Taken::value).distinct().toList();
        assertThat(weights).as("noise: a scale does not show the same weight every day").hasSizeGreaterThan(1);
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3 })
    void bloodPressurePeaksInTheMorningAndTemperatureInTheEvening(long seed) {
        Physiology body = new Physiology(seed);
        SimulatedPatient p = PilotPlan.generate(seed, 12, ANCHOR).patients().get(6);
        Instant morning = PilotPlan.at(LocalDate.of(2026, 11, 10), java.time.LocalTime.of(10, 0));
        Instant night = morning.plus(Duration.ofHours(12));
        assertThat(body.trend(p, "systolic", morning) - body.trend(p, "systolic", night)).isCloseTo(14, within(0.01));
        Instant evening = PilotPlan.at(LocalDate.of(2026, 11, 10), java.time.LocalTime.of(18, 0));
        assertThat(body.trend(p, "temperature", evening)).isGreaterThan(body.trend(p, "temperature", evening.minus(Duration.ofHours(12))));
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 42 })
    void copdExacerbationDriftsSpo2To86To89WithFever(long seed) {
        SimulatedPilot pilot = PilotPlan.generate(seed, 12, ANCHOR);
        SimulatedPatient p = pilot.withEpisode(Episode.Kind.COPD_EXACERBATION).orElseThrow();
        Episode e = p.episode();
        Physiology body = new Physiology(seed);

        // The trend: from the patient's own level down to 87.5 % over three days, then held.
        assertThat(body.trend(p, "spo2", e.onset().minus(Duration.ofHours(1)))).isGreaterThanOrEqualTo(91);
        // Half-way after a day and a half (18:00, compared with 18:00 the day before: no early-morning dip in either).
        double evening = body.trend(p, "spo2", e.onset().minus(Duration.ofHours(12)));
        assertThat(body.trend(p, "spo2", e.onset().plus(Duration.ofHours(36)))).isCloseTo((evening + 87.5) / 2, within(0.01));
        assertThat(body.trend(p, "spo2", e.onset().plus(Duration.ofDays(3)))).isCloseTo(87.5, within(0.01));
        assertThat(body.trend(p, "temperature", e.onset().plus(Duration.ofDays(4))) - body.trend(p, "temperature", e.onset().minus(Duration.ofDays(1))))
                .isCloseTo(1.5, within(0.01));

        List<Taken> readings = week(pilot).stream().filter(t -> t.patient().equals(p)).toList();
        List<Taken> peak = readings.stream().filter(t -> e.atPeak(t.time())).toList();
        assertThat(peak.stream().filter(t -> t.kind().equals("spo2"))).isNotEmpty()
                .allSatisfy(t -> assertThat(t.value()).isBetween(86.0, 89.0));
        assertThat(peak.stream().filter(t -> t.kind().equals("temperature"))).isNotEmpty()
                .allSatisfy(t -> assertThat(t.value()).isGreaterThanOrEqualTo(37.5));
        assertThat(readings.stream().filter(t -> t.kind().equals("spo2") && t.time().isBefore(e.onset())))
                .allSatisfy(t -> assertThat(t.value()).isGreaterThanOrEqualTo(90));
        // Nobody else's SpO2 falls that low.
        assertThat(week(pilot).stream().filter(t -> t.kind().equals("spo2") && !t.patient().equals(p)))
                .allSatisfy(t -> assertThat(t.value()).isGreaterThanOrEqualTo(90));
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 42 })
    void fluidRetentionAdds2point5KgOverThreeDays(long seed) {
        SimulatedPilot pilot = PilotPlan.generate(seed, 12, ANCHOR);
        SimulatedPatient p = pilot.withEpisode(Episode.Kind.FLUID_RETENTION).orElseThrow();
        Episode e = p.episode();
        Physiology body = new Physiology(seed);

        // Three days after the onset, at any hour of that day, 2.5 kg above the same hour the day before the onset.
        for (int hours : new int[] { 0, 2, 5, 16 }) {
            Instant dayBefore = e.onset().minus(Duration.ofDays(1)).plus(Duration.ofHours(hours));
            assertThat(body.trend(p, "weight", dayBefore.plus(Duration.ofDays(4))) - body.trend(p, "weight", dayBefore))
                    .isCloseTo(2.5, within(0.001));
        }
        assertThat(body.trend(p, "weight", e.onset().plus(Duration.ofHours(36))) - body.trend(p, "weight", e.onset().minus(Duration.ofHours(12))))
                .as("linear: half-way after a day and a half").isCloseTo(1.25, within(0.001));
        // Morning weights on the scale: within the scale's noise of the trend, so +2.5 kg shows in them.
        List<Taken> weights = week(pilot).stream().filter(t -> t.patient().equals(p) && t.kind().equals("weight")).toList();
        assertThat(weights).hasSizeGreaterThan(4)
                .allSatisfy(t -> assertThat(t.value()).isCloseTo(body.trend(p, "weight", t.time()), within(0.36)));
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 42 })
    void hypertensiveSpikeIsOneDayAbove180Over110(long seed) {
        SimulatedPilot pilot = PilotPlan.generate(seed, 12, ANCHOR);
        SimulatedPatient p = pilot.withEpisode(Episode.Kind.HYPERTENSIVE_SPIKE).orElseThrow();
        Episode e = p.episode();
        List<Taken> bp = week(pilot).stream().filter(t -> t.patient().equals(p)).toList();

        List<Taken> spike = bp.stream().filter(t -> e.atPeak(t.time())).toList();
        assertThat(spike.stream().filter(t -> t.kind().equals("systolic"))).isNotEmpty()
                .allSatisfy(t -> assertThat(t.value()).isGreaterThanOrEqualTo(180));
        assertThat(spike.stream().filter(t -> t.kind().equals("diastolic"))).allSatisfy(t -> assertThat(t.value()).isGreaterThanOrEqualTo(110));
        assertThat(bp.stream().filter(t -> !e.atPeak(t.time()) && t.kind().equals("systolic")))
                .isNotEmpty().allSatisfy(t -> assertThat(t.value()).isLessThan(180));
        assertThat(e.atPeak(e.onset().plus(Duration.ofHours(23)))).isTrue();
        assertThat(e.atPeak(e.onset().plus(Duration.ofHours(24)))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 2, 3, 42 })
    void hypoglycaemiaIsOneLowGlucoseAndARecheckAfterSugar(long seed) {
        SimulatedPilot pilot = PilotPlan.generate(seed, 12, ANCHOR);
        SimulatedPatient p = pilot.withEpisode(Episode.Kind.HYPOGLYCAEMIA).orElseThrow();
        Instant onset = p.episode().onset();
        List<Taken> glucose = week(pilot).stream().filter(t -> t.kind().equals("glucose")).toList();

        assertThat(glucose.stream().filter(t -> t.patient().equals(p) && t.time().equals(onset)).map(Taken::value))
                .singleElement().satisfies(v -> assertThat(v).isBetween(2.5, 3.1));
        assertThat(glucose.stream().filter(t -> t.patient().equals(p) && t.time().equals(onset.plus(Episode.HYPO_RECHECK))).map(Taken::value))
                .singleElement().satisfies(v -> assertThat(v).isBetween(4.0, 5.0));
        assertThat(glucose.stream().filter(t -> t.value() < 3.9)).as("one hypoglycaemia in the week, no other").hasSize(1);
    }

    /** Every reading the pilot's devices take in the week before the anchor, as the timeline would send them. */
    private static List<Taken> week(SimulatedPilot pilot) {
        MeasuringHabits habits = new MeasuringHabits(pilot.seed());
        Physiology body = new Physiology(pilot.seed());
        LocalDate today = ANCHOR.atZone(PilotPlan.OSLO).toLocalDate();
        List<Taken> taken = new ArrayList<>();
        for (LocalDate day = today.minusDays(7); !day.isAfter(today); day = day.plusDays(1)) {
            for (SimulatedPatient p : pilot.patients()) {
                for (Session s : habits.sessions(p, day)) {
                    for (Session.Use u : s.uses()) {
                        for (Measured m : body.read(p, u.device().type(), u.time())) {
                            taken.add(new Taken(p, u.time(), m.measure(), m.value()));
                        }
                    }
                }
            }
        }
        return taken;
    }
}
