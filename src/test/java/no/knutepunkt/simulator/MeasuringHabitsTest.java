package no.knutepunkt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class MeasuringHabitsTest {

    private static final Instant ANCHOR = Instant.parse("2026-11-22T10:00:00Z");
    private static final LocalDate TODAY = LocalDate.of(2026, 11, 22);

    private final SimulatedPilot pilot = PilotPlan.generate(4, 12, ANCHOR);
    private final MeasuringHabits habits = new MeasuringHabits(4);

    @Test
    void peopleMeasureAtTheirProgrammesTimesWithTheirProgrammesDevices() {
        for (SimulatedPatient p : pilot.patients()) {
            List<Session> month = month(p);
            assertThat(month).as(p.name()).isNotEmpty();
            for (Session s : month) {
                LocalTime local = s.start().atZone(PilotPlan.OSLO).toLocalTime();
                List<DeviceType> used = s.uses().stream().map(u -> u.device().type()).toList();
                boolean hypoCheck = p.episode() != null && p.episode().kind() == Episode.Kind.HYPOGLYCAEMIA
                        && (s.start().equals(p.episode().onset()) || s.start().equals(p.episode().onset().plus(Episode.HYPO_RECHECK)));
                if (hypoCheck) {
                    continue;
                }
                assertThat(local).as("%s measures in the day, not at night", p.name()).isBetween(LocalTime.of(6, 30), LocalTime.of(22, 50));
                switch (p.programme()) {
                    case COPD -> assertThat(used).isIn(List.of(DeviceType.PULSE_OXIMETER, DeviceType.THERMOMETER),
                            List.of(DeviceType.PULSE_OXIMETER));
                    case HEART_FAILURE -> assertThat(used).containsExactly(DeviceType.SCALE, DeviceType.BP_CUFF);
                    case HYPERTENSION -> assertThat(used).containsExactly(DeviceType.BP_CUFF);
                    case DIABETES -> assertThat(used).containsExactly(DeviceType.GLUCOMETER);
                }
                assertThat(s.end()).isBetween(s.start(), s.start().plus(Duration.ofMinutes(5)));
            }
            int perDay = switch (p.programme()) {
                case COPD, HYPERTENSION -> 2;
                case HEART_FAILURE -> 1;
                case DIABETES -> 3;
            };
            if (p.stopsMeasuringAt() == null) {
                // Now and then someone forgets: most, not all, of a month's sessions happen.
                assertThat(month.size()).as(p.name()).isBetween(perDay * 30 * 80 / 100, perDay * 30 + 2);
            }
        }
    }

    @Test
    void aDaysSessionsAreTheSameInEveryRun() {
        SimulatedPatient p = pilot.patients().get(3);
        assertThat(new MeasuringHabits(4).sessions(p, TODAY)).isEqualTo(habits.sessions(p, TODAY));
        assertThat(new MeasuringHabits(5).sessions(p, TODAY)).isNotEqualTo(habits.sessions(p, TODAY));
    }

    @Test
    void thePatientWhoStopsMeasuringDoesSo() {
        SimulatedPatient p = pilot.patients().stream().filter(x -> x.stopsMeasuringAt() != null).findFirst().orElseThrow();
        List<Session> month = month(p);
        assertThat(month).anySatisfy(s -> assertThat(s.start()).isBefore(p.stopsMeasuringAt()));
        assertThat(month).allSatisfy(s -> assertThat(s.start()).isBefore(p.stopsMeasuringAt()));
    }

    @Test
    void duringAHypoglycaemiaThePatientMeasuresAtOnceAndAgain15MinutesLater() {
        SimulatedPatient p = pilot.withEpisode(Episode.Kind.HYPOGLYCAEMIA).orElseThrow();
        Instant onset = p.episode().onset();
        List<Instant> starts = habits.sessions(p, onset.atZone(PilotPlan.OSLO).toLocalDate()).stream().map(Session::start).toList();
        assertThat(starts).contains(onset, onset.plus(Duration.ofMinutes(15))).isSorted();
    }

    private List<Session> month(SimulatedPatient p) {
        List<Session> all = new ArrayList<>();
        for (LocalDate d = TODAY.minusDays(29); !d.isAfter(TODAY); d = d.plusDays(1)) {
            all.addAll(habits.sessions(p, d));
        }
        return all;
    }
}
