package no.knutepunkt.status;

import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.security.identity.SecurityIdentity;

import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Callers;
import no.knutepunkt.access.CurrentRequest;
import no.knutepunkt.access.DataKind;

/**
 * {@code GET /status/latest}: the patients the caller may see (the access policy's list: a
 * clinician its care teams' patients, a patient itself; an operator none), in name order, a page
 * at a time, each with the latest reading of every kind and the FHIR API's addresses for their
 * data. Names and the masked fødselsnummer only; the values are those of the stored Observations.
 * Every patient shown is audited.
 */
@Path("/status/latest")
public class PatientStatus {

    private static final String FHIR = "/fhir";

    private final LatestReadings latest;
    private final StatusConfig config;
    private final AccessPolicy policy;
    private final SecurityIdentity identity;
    private final CurrentRequest request;

    PatientStatus(LatestReadings latest, StatusConfig config, AccessPolicy policy, SecurityIdentity identity, CurrentRequest request) {
        this.latest = latest;
        this.config = config;
        this.policy = policy;
        this.identity = identity;
        this.request = request;
    }

    /**
     * @param after the {@code id} of the last patient of the previous page (the {@code next} link gives it)
     * @param limit patients per page, capped at {@code knutepunkt.status.max-patients-per-page}
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Patients latest(@QueryParam("after") String after, @QueryParam("limit") Integer limit) {
        UUID from = null;
        if (after != null && !after.isBlank()) {
            try {
                from = UUID.fromString(after);
            } catch (IllegalArgumentException e) {
                throw new BadRequestException("after must be a patient id");
            }
        }
        int n = Math.max(1, Math.min(limit == null ? config.patientsPerPage() : limit, config.maxPatientsPerPage()));
        Caller caller = Callers.of(identity);
        AccessPolicy.Visible visible = policy.visiblePatients(caller);
        if (visible == AccessPolicy.Visible.NONE) {
            return new Patients(List.of(), null);
        }
        LatestReadings.Page page;
        try {
            page = latest.page(visible, from, n);
        } catch (SQLException e) {
            throw new IllegalStateException("the latest readings could not be read", e);
        }
        policy.recordListed(caller, page.patients().stream().map(LatestReadings.Patient::id).toList(), DataKind.MEASUREMENTS,
                request.get(), "search", "Observation");
        List<Patient> patients = page.patients().stream().map(PatientStatus::patient).toList();
        String next = page.more() ? "/status/latest?after=" + patients.get(patients.size() - 1).id() + "&limit=" + n : null;
        return new Patients(patients, next);
    }

    private static Patient patient(LatestReadings.Patient p) {
        String id = p.id().toString();
        Links links = new Links(FHIR + "/Patient/" + id, FHIR + "/Observation?patient=" + id + "&_sort=-date",
                FHIR + "/Observation/$lastn?patient=" + id);
        List<Reading> readings = p.readings().stream().map(r -> {
            ShownReading shown = ShownReading.of(r.kind(), r.observation());
            return new Reading(r.kind(), shown.label(), shown.value(), shown.unit(), r.effective(), shown.deviceClockWrong(),
                    r.vendorId(), r.deviceSerial(), FHIR + "/Observation/" + r.id());
        }).toList();
        return new Patient(p.id(), p.givenName() + " " + p.familyName(), p.maskedNationalId(), links, readings);
    }

    /** @param next the address of the next page, or null on the last */
    public record Patients(List<Patient> patients, String next) {
    }

    /** @param nationalId masked: the first six digits (date of birth), then five stars */
    public record Patient(UUID id, String name, String nationalId, Links links, List<Reading> readings) {
    }

    /** The FHIR API's answers about this patient: the Patient, all Observations newest first, and the latest of each kind. */
    public record Links(String patient, String observations, String lastn) {
    }

    /**
     * @param kind        the Observation kind's key ({@code bp}, {@code spo2}, …)
     * @param effective   when it was measured (or received, when {@code deviceClockWrong})
     * @param observation the address of its FHIR Observation
     */
    public record Reading(String kind, String label, String value, String unit, OffsetDateTime effective, boolean deviceClockWrong,
            String vendor, String device, String observation) {
    }
}
