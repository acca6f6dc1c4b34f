package no.knutepunkt.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import no.knutepunkt.testing.TestIdentities;

class PilotPlanTest {

    private static final Instant ANCHOR = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void sameSeedSamePilotOtherSeedOtherPilot() {
        SimulatedPilot a = PilotPlan.generate(7, 50, ANCHOR);
        SimulatedPilot b = PilotPlan.generate(7, 50, ANCHOR);
        SimulatedPilot c = PilotPlan.generate(8, 50, ANCHOR);

        assertThat(a).isEqualTo(b);
        assertThat(numbers(a)).doesNotContainAnyElementsOf(numbers(c));
        assertThat(serials(a)).doesNotContainAnyElementsOf(serials(c));
    }

    /** A smaller pilot is the start of a larger one, so provisioning 10 and later 50 patients never clashes. */
    @Test
    void patientsDoNotDependOnHowManyThereAre() {
        assertThat(PilotPlan.generate(3, 50, ANCHOR).patients().subList(0, 12)).isEqualTo(PilotPlan.generate(3, 12, ANCHOR).patients());
    }

    @Test
    void everyFodselsnummerIsSyntheticWithValidCheckDigitsAndADate() {
        SimulatedPilot pilot = PilotPlan.generate(1, 500, ANCHOR);
        for (String n : numbers(pilot)) {
            // TestIdentities computes the check digits independently of the simulator.
            assertThat(TestIdentities.withCheckDigits(n.substring(0, 9), 0)).as(n).isEqualTo(n);
            int month = Integer.parseInt(n.substring(2, 4));
            assertThat(month).as("synthetic: month + 80").isBetween(81, 92);
            int year = 1900 + Integer.parseInt(n.substring(4, 6));
            assertThat(LocalDate.of(year, month - 80, Integer.parseInt(n.substring(0, 2)))).isBefore(LocalDate.of(2000, 1, 1));
            assertThat(Integer.parseInt(n.substring(6, 9))).as("individual number of someone born 1900-1999").isLessThan(500);
        }
        assertThat(Set.copyOf(numbers(pilot))).hasSize(500);
    }

    @Test
    void eachPatientHasTheDevicesOfTheirProgrammeFromOneVendor() {
        SimulatedPilot pilot = PilotPlan.generate(5, 50, ANCHOR);
        for (SimulatedPatient p : pilot.patients()) {
            List<DeviceType> measuring = p.devices().stream().map(PatientDevice::type).filter(t -> t != DeviceType.GATEWAY).toList();
            assertThat(measuring).as(p.name()).isEqualTo(p.programme().devices());
            assertThat(p.devices()).allSatisfy(d -> assertThat(d.vendor()).isEqualTo(p.vendor()));
            assertThat(p.gateway().isPresent()).isEqualTo(p.vendor() == SimulatedVendor.MEDGW);
        }
        assertThat(p(pilot, Programme.COPD).device(DeviceType.PULSE_OXIMETER)).isNotNull();
        assertThat(Set.copyOf(serials(pilot))).hasSize(serials(pilot).size());
        Map<SimulatedVendor, Long> perVendor = pilot.patients().stream().collect(Collectors.groupingBy(SimulatedPatient::vendor,
                () -> new EnumMap<>(SimulatedVendor.class), Collectors.counting()));
        assertThat(perVendor).containsOnlyKeys(SimulatedVendor.values()).allSatisfy((v, n) -> assertThat(n).isBetween(16L, 17L));
        Map<Programme, Long> perProgramme = pilot.patients().stream().collect(Collectors.groupingBy(SimulatedPatient::programme,
                () -> new EnumMap<>(Programme.class), Collectors.counting()));
        assertThat(perProgramme).containsOnlyKeys(Programme.values());
    }

    @Test
    void theScriptCastsEachRoleOnceFromTenPatientsOn() {
        SimulatedPilot pilot = PilotPlan.generate(11, 10, ANCHOR);

        for (Episode.Kind kind : Episode.Kind.values()) {
            assertThat(pilot.patients().stream().filter(p -> p.episodeOf(kind).isPresent())).as(kind.name()).hasSize(1);
        }
        assertThat(pilot.withEpisode(Episode.Kind.COPD_EXACERBATION).orElseThrow().programme()).isEqualTo(Programme.COPD);
        assertThat(pilot.withEpisode(Episode.Kind.FLUID_RETENTION).orElseThrow().programme()).isEqualTo(Programme.HEART_FAILURE);
        assertThat(pilot.withEpisode(Episode.Kind.HYPERTENSIVE_SPIKE).orElseThrow().programme()).isEqualTo(Programme.HYPERTENSION);
        assertThat(pilot.withEpisode(Episode.Kind.HYPOGLYCAEMIA).orElseThrow().programme()).isEqualTo(Programme.DIABETES);
        assertThat(pilot.patients().stream().filter(p -> p.stopsMeasuringAt() != null)).hasSize(1);

        List<PatientDevice> clocks = pilot.devices().stream().filter(PatientDevice::factoryClock).toList();
        assertThat(clocks).hasSize(1);
        assertThat(clocks.get(0).vendor()).as("only a gateway can tell the hub a bad clock").isEqualTo(SimulatedVendor.MEDGW);
        List<PatientDevice> pounds = pilot.devices().stream().filter(PatientDevice::poundsScale).toList();
        assertThat(pounds).hasSize(1);
        assertThat(pounds.get(0).type()).isEqualTo(DeviceType.SCALE);

        // Each role on a patient of its own, so one does not hide another.
        assertThat(pilot.patients().stream().filter(p -> !p.role().isEmpty())).hasSize(7);
        assertThat(pilot.patients()).allSatisfy(p -> assertThat(p.role()).doesNotContain(","));
    }

    @Test
    void episodesAreWhereTheyShowWhenSimulatedTimeReachesNow() {
        SimulatedPilot pilot = PilotPlan.generate(2, 10, ANCHOR);
        Episode copd = pilot.withEpisode(Episode.Kind.COPD_EXACERBATION).orElseThrow().episode();
        Episode fluid = pilot.withEpisode(Episode.Kind.FLUID_RETENTION).orElseThrow().episode();

        assertThat(copd.onset()).isBefore(ANCHOR.minus(java.time.Duration.ofDays(3)));
        assertThat(copd.atPeak(ANCHOR)).as("SpO2 at 86-89 % when the catch-up ends").isTrue();
        assertThat(fluid.severity(ANCHOR)).isGreaterThan(0.9);
        assertThat(pilot.withEpisode(Episode.Kind.HYPERTENSIVE_SPIKE).orElseThrow().episode().onset()).isBefore(ANCHOR);
        assertThat(pilot.withEpisode(Episode.Kind.HYPOGLYCAEMIA).orElseThrow().episode().onset()).isBefore(ANCHOR);
    }

    private static SimulatedPatient p(SimulatedPilot pilot, Programme programme) {
        return pilot.patients().stream().filter(x -> x.programme() == programme).findFirst().orElseThrow();
    }

    private static List<String> numbers(SimulatedPilot pilot) {
        return pilot.patients().stream().map(SimulatedPatient::fodselsnummer).toList();
    }

    private static List<String> serials(SimulatedPilot pilot) {
        return pilot.devices().stream().map(PatientDevice::serial).toList();
    }
}
