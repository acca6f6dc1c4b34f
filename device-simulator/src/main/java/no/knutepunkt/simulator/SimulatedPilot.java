package no.knutepunkt.simulator;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * A pilot's worth of patients and devices, generated from a seed by {@link PilotPlan}, with the
 * organisations that follow them up. Every number in it is made up: the organisation numbers are
 * repdigits (valid mod 11, never issued), the fødselsnumre synthetic.
 */
public record SimulatedPilot(long seed, Instant anchor, List<SimulatedPatient> patients) {

    /** When the pilot's enrollments and device assignments start: fixed, so provisioning is the same in every run. */
    public static final OffsetDateTime STARTED_AT = OffsetDateTime.parse("2025-01-01T08:00:00+01:00");

    public record Organisation(String orgNumber, String name, String kind) {
    }

    public static final Organisation MUNICIPALITY = new Organisation("111111111", "Eksempelvik kommune, oppfølgingstjenesten", "municipality");
    public static final Organisation GP_PRACTICE = new Organisation("222222222", "Eksempelvik legesenter", "gp-practice");
    public static final Organisation HOSPITAL = new Organisation("333333333", "Sykehuset Eksempelvik HF", "hospital");

    public SimulatedPilot {
        patients = List.copyOf(patients);
    }

    public List<Organisation> careOrganisations() {
        return List.of(MUNICIPALITY, GP_PRACTICE, HOSPITAL);
    }

    /** Every device of the pilot, gateways included. */
    public List<PatientDevice> devices() {
        return patients.stream().flatMap(p -> p.devices().stream()).toList();
    }

    /** The first patient the script gave this episode. */
    public Optional<SimulatedPatient> withEpisode(Episode.Kind kind) {
        return patients.stream().filter(p -> p.episodeOf(kind).isPresent()).findFirst();
    }
}
