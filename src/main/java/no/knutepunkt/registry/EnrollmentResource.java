package no.knutepunkt.registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.DataKind;
import no.knutepunkt.access.Role;
import no.knutepunkt.registry.Consents.Consent;
import no.knutepunkt.registry.Consents.NewConsent;
import no.knutepunkt.registry.DeviceAssignments.DeviceAssignment;
import no.knutepunkt.registry.DeviceAssignments.NewAssignment;
import no.knutepunkt.registry.DeviceRouting.DeviceKey;
import no.knutepunkt.registry.Enrollments.CareTeamMember;
import no.knutepunkt.registry.Enrollments.Enrollment;
import no.knutepunkt.registry.Enrollments.NewEnrollment;
import no.knutepunkt.registry.Patients.NewPatient;
import no.knutepunkt.registry.Pauses.NewPause;
import no.knutepunkt.registry.Pauses.Pause;

/**
 * Onboarding a pilot municipality runs: enroll a patient in a programme with a care team and a
 * consent record; assign devices, swap a broken one in one step, unassign; pause follow-up and
 * resume it; add or withdraw consents; end follow-up. Every change is a municipality admin's, for
 * an enrollment its municipality is responsible for, and is audited in the change's own
 * transaction; reads of an enrollment follow the access policy (the care team sees it too).
 */
@Path("/api/registry/enrollments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Onboarding")
public class EnrollmentResource {

    private static final String TYPE = "EpisodeOfCare";
    private static final String ASSIGNMENT = "device-assignment";

    private final Transactions tx;
    private final Patients patients;
    private final Enrollments enrollments;
    private final Consents consents;
    private final Pauses pauses;
    private final DeviceAssignments assignments;
    private final RegistryAccess access;
    private final Clock clock;

    EnrollmentResource(Transactions tx, Patients patients, Enrollments enrollments, Consents consents, Pauses pauses,
            DeviceAssignments assignments, RegistryAccess access, Clock clock) {
        this.tx = tx;
        this.patients = patients;
        this.enrollments = enrollments;
        this.consents = consents;
        this.pauses = pauses;
        this.assignments = assignments;
        this.access = access;
        this.clock = clock;
    }

    /**
     * An enrollment request: the patient by {@code patientId}, or by {@code patient} (registered
     * now, or found when number and names match), and the consent that goes with it.
     */
    public record EnrollmentRequest(UUID patientId, NewPatient patient, String programme, UUID responsibleOrganisationId,
            List<CareTeamMember> careTeam, OffsetDateTime startedAt, OffsetDateTime endedAt, NewConsent consent) {
    }

    /** An enrollment with what onboarding records about it, and its state now (planned, active, paused, ended). */
    public record EnrollmentView(UUID id, UUID patientId, String programme, UUID responsibleOrganisationId,
            List<CareTeamMember> careTeam, OffsetDateTime startedAt, OffsetDateTime endedAt, String status, List<Consent> consents,
            List<Pause> pauses) {
    }

    @POST
    @Operation(summary = "Enroll a patient with programme, care team and consent (municipality admin of the responsible municipality)")
    public Response create(EnrollmentRequest body) {
        EnrollmentRequest r = Requests.required(body);
        Fields.required("consent", r.consent());
        Consents.check("consent", r.consent(), clock);
        if ((r.patientId() == null) == (r.patient() == null)) {
            throw Problem.malformed("patientId", "give either patientId or patient");
        }
        Fields.required("responsibleOrganisationId", r.responsibleOrganisationId());
        AccessPolicy.Granted g = access.administer(r.patientId(), r.responsibleOrganisationId(), "create", TYPE);
        EnrollmentView view = tx.write(c -> {
            UUID patientId = r.patientId() != null ? r.patientId() : patients.findOrCreate(c, r.patient()).patient().id();
            Enrollment e = enrollments.create(c, new NewEnrollment(patientId, r.programme(), r.responsibleOrganisationId(), r.careTeam(),
                    r.startedAt(), r.endedAt(), r.consent()));
            consents.create(c, e.id(), patientId, r.consent(), recordedBy(g.caller()));
            access.recordIn(c, r.patientId() != null ? g : g.forNewPatient(patientId), "create", TYPE, List.of(e.id().toString()));
            return view(c, e);
        });
        return Requests.created("enrollments/" + view.id(), view);
    }

    @GET
    @Operation(summary = "Enrollments: an admin its municipality's (or one patient's), a clinician one patient's, a patient its own")
    public List<EnrollmentView> list(@QueryParam("patientId") String patientId) {
        Caller caller = access.caller();
        UUID patient = patientId == null ? null : Fields.uuid("patientId", patientId);
        if (caller.is(Role.MUNICIPALITY_ADMIN) && patient != null) {
            // One patient's: the policy decides (an unknown, foreign or blocking patient is a refusal,
            // audited); the list then holds the enrollments the admin's municipality is responsible for.
            AccessPolicy.Granted g = access.decide(patient, DataKind.CARE_RECORD, "search", TYPE);
            List<EnrollmentView> mine = tx.read(c -> {
                List<EnrollmentView> out = new ArrayList<>();
                for (Enrollment e : enrollments.ofResponsible(c, caller.organisation().id(), patient, AccessPolicy.Visible.ALL)) {
                    out.add(view(c, e));
                }
                return out;
            });
            access.record(g, "search", TYPE, mine.stream().map(e -> e.id().toString()).toList());
            return mine;
        }
        if (caller.is(Role.MUNICIPALITY_ADMIN)) {
            // recordListed takes the list's word for it: the list itself must leave out a patient who blocked the admin.
            AccessPolicy.Visible visible = access.policy().visibleForAdministration(caller);
            List<EnrollmentView> mine = tx.read(c -> {
                List<EnrollmentView> out = new ArrayList<>();
                for (Enrollment e : enrollments.ofResponsible(c, caller.organisation().id(), null, visible)) {
                    out.add(view(c, e));
                }
                return out;
            });
            Map<UUID, List<String>> shown = new LinkedHashMap<>();
            mine.forEach(e -> shown.computeIfAbsent(e.patientId(), p -> new ArrayList<>()).add(e.id().toString()));
            access.policy().recordListed(caller, shown, DataKind.CARE_RECORD, access.request(), "search", TYPE);
            return mine;
        }
        UUID whose = patient != null ? patient : caller.is(Role.PATIENT) ? caller.patientId() : null;
        if (whose == null) {
            throw access.policy().deny(caller, null, access.request(), "search", TYPE,
                    caller.is(Role.PATIENT) ? "no-such-patient" : "patient-required");
        }
        AccessPolicy.Granted g = access.decide(whose, DataKind.CARE_RECORD, "search", TYPE);
        List<EnrollmentView> found = tx.read(c -> {
            List<EnrollmentView> out = new ArrayList<>();
            for (Enrollment e : enrollments.list(c, whose)) {
                out.add(view(c, e));
            }
            return out;
        });
        access.record(g, "search", TYPE, found.stream().map(e -> e.id().toString()).toList());
        return found;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One enrollment, for its municipality's admin and those the access policy lets see the patient's care record")
    public EnrollmentView one(@PathParam("id") String id) {
        Enrollment e = readable(id, "read");
        return tx.read(c -> view(c, e));
    }

    public record EndOfEnrollment(OffsetDateTime endedAt) {
    }

    /** Ends follow-up (now, unless {@code endedAt} says when), and the enrollment's device assignments with it. */
    @POST
    @Path("/{id}/end")
    @Operation(summary = "End follow-up (municipality admin)")
    public EnrollmentView end(@PathParam("id") String id, EndOfEnrollment body) {
        Administered e = administered(id, "update");
        OffsetDateTime endedAt = Fields.stored(body == null || body.endedAt() == null ? OffsetDateTime.now(clock) : body.endedAt());
        Set<DeviceKey> changed = tx.write(c -> {
            Set<DeviceKey> devices = assignments.endEnrollment(c, e.id(), endedAt);
            recordChange(c, e, "end", List.of(e.id().toString()));
            return devices;
        });
        assignments.announce(changed);
        return tx.read(c -> view(c, enrollments.find(c, e.id()).orElseThrow()));
    }

    // --- pauses

    @POST
    @Path("/{id}/pause")
    @Operation(summary = "Pause follow-up, e.g. for a hospital admission; readings go on being stored, marked paused (municipality admin)")
    public Response pause(@PathParam("id") String id, NewPause body) {
        Administered e = administered(id, "update");
        NewPause p = Requests.required(body);
        NewPause at = p.from() == null ? new NewPause(OffsetDateTime.now(clock), p.reason(), p.note()) : p;
        Pause made = tx.write(c -> {
            Pause pause = pauses.pause(c, e.id(), at, recordedBy(access.caller()), OffsetDateTime.now(clock));
            recordChange(c, e, "pause", List.of(pause.id().toString()));
            return pause;
        });
        return Requests.created("enrollments/" + e.id() + "/pauses/" + made.id(), made);
    }

    public record Resumption(OffsetDateTime at) {
    }

    @POST
    @Path("/{id}/resume")
    @Operation(summary = "Resume paused follow-up (municipality admin)")
    public Pause resume(@PathParam("id") String id, Resumption body) {
        Administered e = administered(id, "update");
        OffsetDateTime at = Fields.stored(body == null || body.at() == null ? OffsetDateTime.now(clock) : body.at());
        return tx.write(c -> {
            Pause pause = pauses.resume(c, e.id(), at);
            recordChange(c, e, "resume", List.of(pause.id().toString()));
            return pause;
        });
    }

    // --- consents

    @POST
    @Path("/{id}/consents")
    @Operation(summary = "Record a further consent, e.g. to record sharing (municipality admin)")
    public Response consent(@PathParam("id") String id, NewConsent body) {
        Administered e = administered(id, "update");
        Consent made = tx.write(c -> {
            Consent consent = consents.create(c, e.id(), e.patientId(), Requests.required(body), recordedBy(access.caller()));
            recordChange(c, e, "consent", List.of(consent.id().toString()));
            return consent;
        });
        return Requests.created("enrollments/" + e.id() + "/consents/" + made.id(), made);
    }

    public record Withdrawal(OffsetDateTime at) {
    }

    @POST
    @Path("/{id}/consents/{consentId}/withdraw")
    @Operation(summary = "Withdraw a consent; its record stays (municipality admin)")
    public Consent withdraw(@PathParam("id") String id, @PathParam("consentId") String consentId, Withdrawal body) {
        Administered e = administered(id, "update");
        UUID consent = Requests.pathId(consentId);
        OffsetDateTime at = Fields.stored(body == null || body.at() == null ? OffsetDateTime.now(clock) : body.at());
        return tx.write(c -> {
            Consent withdrawn = consents.withdraw(c, e.id(), consent, at);
            recordChange(c, e, "withdraw-consent", List.of(consent.toString()));
            return withdrawn;
        });
    }

    // --- device assignments

    @POST
    @Path("/{id}/assignments")
    @Operation(summary = "Assign a device for a period (municipality admin)")
    public Response assign(@PathParam("id") String id, NewAssignment body) {
        Administered e = administered(id, "update");
        DeviceAssignment a = tx.write(c -> {
            DeviceAssignment made = assignments.create(c, e.id(), Requests.required(body));
            recordChange(c, e, "assign", List.of(made.id().toString()));
            return made;
        });
        assignments.announce(Set.of(a.key()));
        return Requests.created("enrollments/" + e.id() + "/assignments/" + a.id(), a);
    }

    @GET
    @Path("/{id}/assignments")
    @Operation(summary = "The enrollment's device assignments")
    public List<DeviceAssignment> assignments(@PathParam("id") String id) {
        Enrollment e = readable(id, "read");
        return tx.read(c -> assignments.list(c, e.id()));
    }

    /** Body {@code {"validTo": "..."}}; {@code null} makes the assignment open-ended. */
    @PATCH
    @Path("/{id}/assignments/{assignmentId}")
    @Operation(summary = "Change when an assignment ends (municipality admin)")
    public DeviceAssignment changeAssignment(@PathParam("id") String id, @PathParam("assignmentId") String assignmentId, JsonNode body) {
        Administered e = administered(id, "update");
        UUID assignment = Requests.pathId(assignmentId);
        if (body == null || !body.isObject() || !body.has("validTo")) {
            throw Problem.malformed("validTo", "validTo is required (null for open-ended)");
        }
        OffsetDateTime validTo = Requests.dateTime("validTo", body.get("validTo"));
        DeviceAssignment a = tx.write(c -> {
            DeviceAssignment changed = assignments.changeValidTo(c, e.id(), assignment, validTo);
            recordChange(c, e, "update-assignment", List.of(assignment.toString()));
            return changed;
        });
        assignments.announce(Set.of(a.key()));
        return a;
    }

    public record Unassignment(OffsetDateTime at) {
    }

    @POST
    @Path("/{id}/assignments/{assignmentId}/end")
    @Operation(summary = "Unassign a device: its assignment ends now or at the given time (municipality admin)")
    public DeviceAssignment unassign(@PathParam("id") String id, @PathParam("assignmentId") String assignmentId, Unassignment body) {
        Administered e = administered(id, "update");
        UUID assignment = Requests.pathId(assignmentId);
        OffsetDateTime at = Fields.stored(body == null || body.at() == null ? OffsetDateTime.now(clock) : body.at());
        DeviceAssignment a = tx.write(c -> {
            DeviceAssignment ended = assignments.changeValidTo(c, e.id(), assignment, at);
            recordChange(c, e, "unassign", List.of(assignment.toString()));
            return ended;
        });
        assignments.announce(Set.of(a.key()));
        return a;
    }

    /** The replacement by {@code deviceId} or by {@code vendorId} + {@code serial}; {@code at} defaults to now. */
    public record Swap(Long deviceId, String vendorId, String serial, OffsetDateTime at) {
    }

    @POST
    @Path("/{id}/assignments/{assignmentId}/swap")
    @Operation(summary = "Swap a broken device for another in one step (municipality admin)")
    public Response swap(@PathParam("id") String id, @PathParam("assignmentId") String assignmentId, Swap body) {
        Administered e = administered(id, "update");
        UUID assignment = Requests.pathId(assignmentId);
        Swap s = Requests.required(body);
        OffsetDateTime at = Fields.stored(s.at() == null ? OffsetDateTime.now(clock) : s.at());
        DeviceAssignment old = tx.read(c -> assignments.find(c, assignment)).orElseThrow(() -> Problem.notFound("no such assignment"));
        DeviceAssignment made = tx.write(c -> {
            DeviceAssignment replacement = assignments.swap(c, e.id(), assignment, s.deviceId(), s.vendorId(), s.serial(), at);
            recordChange(c, e, "swap-device", List.of(assignment.toString(), replacement.id().toString()));
            return replacement;
        });
        assignments.announce(Set.of(old.key(), made.key()));
        return Requests.created("enrollments/" + e.id() + "/assignments/" + made.id(), made);
    }

    // --- access

    /** An enrollment the caller may change (an admin of its responsible municipality), with the policy's grant for it. */
    private record Administered(Enrollment enrollment, AccessPolicy.Granted grant) {
        UUID id() {
            return enrollment.id();
        }

        UUID patientId() {
            return enrollment.patientId();
        }
    }

    private Administered administered(String id, String action) {
        Enrollment e = tx.read(c -> enrollments.find(c, Requests.pathId(id))).orElse(null);
        if (e == null) {
            throw access.policy().deny(access.caller(), null, access.request(), action, TYPE, "no-such-enrollment");
        }
        return new Administered(e, access.administer(e.patientId(), e.responsibleOrganisationId(), action, TYPE));
    }

    /** The enrollment, if the caller may read it; the read is audited. */
    private Enrollment readable(String id, String action) {
        Caller caller = access.caller();
        Enrollment e = tx.read(c -> enrollments.find(c, Requests.pathId(id))).orElse(null);
        if (e == null) {
            throw access.policy().deny(caller, null, access.request(), action, TYPE, "no-such-enrollment");
        }
        AccessPolicy.Granted g = caller.is(Role.MUNICIPALITY_ADMIN)
                ? access.administer(e.patientId(), e.responsibleOrganisationId(), action, TYPE)
                : access.decide(e.patientId(), DataKind.CARE_RECORD, action, TYPE);
        access.record(g, action, TYPE, List.of(e.id().toString()));
        return e;
    }

    private void recordChange(Connection c, Administered e, String action, List<String> ids) throws SQLException {
        access.recordIn(c, e.grant(), action, TYPE, ids);
    }

    private EnrollmentView view(Connection c, Enrollment e) throws SQLException {
        List<Pause> ps = pauses.list(c, e.id());
        String status = Enrollments.status(e, ps, OffsetDateTime.now(clock));
        return new EnrollmentView(e.id(), e.patientId(), e.programme(), e.responsibleOrganisationId(), e.careTeam(), e.startedAt(),
                e.endedAt(), status, consents.ofEnrollment(c, e.id()), ps);
    }

    /** Who recorded a consent or a pause, as the record keeps it: the person's name (or subject) and organisation number. */
    static String recordedBy(Caller caller) {
        return (caller.name() == null ? caller.subject() : caller.name())
                + (caller.organisation() == null ? "" : " (" + caller.organisation().number() + ")");
    }
}
