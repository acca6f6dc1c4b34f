package no.knutepunkt.registry;

import java.net.URI;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
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
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;

import no.knutepunkt.registry.DeviceAssignments.DeviceAssignment;
import no.knutepunkt.registry.DeviceAssignments.NewAssignment;
import no.knutepunkt.registry.DeviceRouting.DeviceKey;
import no.knutepunkt.registry.Devices.Device;
import no.knutepunkt.registry.Devices.NewDevice;
import no.knutepunkt.registry.Enrollments.Enrollment;
import no.knutepunkt.registry.Enrollments.NewEnrollment;
import no.knutepunkt.registry.Organisations.NewOrganisation;
import no.knutepunkt.registry.Organisations.Organisation;
import no.knutepunkt.registry.Patients.NewPatient;
import no.knutepunkt.registry.Patients.Patient;
import no.knutepunkt.registry.VendorRegister.NewVendor;
import no.knutepunkt.registry.VendorRegister.RegisteredVendor;

/**
 * Onboarding: the JSON API a pilot municipality (and the demo) registers organisations,
 * patients, vendors, devices, enrollments and device assignments with. Each write is one
 * transaction; errors are small problem bodies ({@code {"error": ..., "field": ...}}).
 */
@Path("/api/registry")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
class RegistryResource {

    private final Transactions tx;
    private final Organisations organisations;
    private final Patients patients;
    private final VendorRegister vendors;
    private final Devices devices;
    private final Enrollments enrollments;
    private final DeviceAssignments assignments;
    private final Clock clock;

    RegistryResource(Transactions tx, Organisations organisations, Patients patients, VendorRegister vendors, Devices devices,
            Enrollments enrollments, DeviceAssignments assignments, Clock clock) {
        this.tx = tx;
        this.organisations = organisations;
        this.patients = patients;
        this.vendors = vendors;
        this.devices = devices;
        this.enrollments = enrollments;
        this.assignments = assignments;
        this.clock = clock;
    }

    // --- organisations

    @POST
    @Path("/organisations")
    public Response createOrganisation(NewOrganisation body) {
        Organisation o = tx.write(c -> organisations.create(c, required(body)));
        return created("organisations/" + o.id(), o);
    }

    @GET
    @Path("/organisations")
    public List<Organisation> organisations() {
        return tx.read(organisations::list);
    }

    @GET
    @Path("/organisations/{id}")
    public Organisation organisation(@PathParam("id") String id) {
        UUID key = pathId(id);
        return tx.read(c -> organisations.find(c, key)).orElseThrow(() -> Problem.notFound("no such organisation"));
    }

    // --- patients

    @POST
    @Path("/patients")
    public Response createPatient(NewPatient body) {
        Patient p = tx.write(c -> patients.create(c, required(body)));
        return created("patients/" + p.id(), p);
    }

    @GET
    @Path("/patients")
    public List<Patient> patients() {
        return tx.read(patients::list);
    }

    @GET
    @Path("/patients/{id}")
    public Patient patient(@PathParam("id") String id) {
        UUID key = pathId(id);
        return tx.read(c -> patients.find(c, key)).orElseThrow(() -> Problem.notFound("no such patient"));
    }

    // --- vendors

    @POST
    @Path("/vendors")
    public Response createVendor(NewVendor body) {
        RegisteredVendor v = tx.write(c -> vendors.create(c, required(body)));
        return created("vendors/" + v.id(), v);
    }

    @GET
    @Path("/vendors")
    public List<RegisteredVendor> vendors() {
        return tx.read(vendors::list);
    }

    @GET
    @Path("/vendors/{id}")
    public RegisteredVendor vendor(@PathParam("id") String id) {
        return tx.read(c -> vendors.find(c, id)).orElseThrow(() -> Problem.notFound("no such vendor"));
    }

    // --- devices

    @POST
    @Path("/devices")
    public Response createDevice(NewDevice body) {
        Device d = tx.write(c -> devices.create(c, required(body)));
        return created("devices/" + d.id(), d);
    }

    @GET
    @Path("/devices")
    public List<Device> devices(@QueryParam("vendorId") String vendorId) {
        return tx.read(c -> devices.list(c, vendorId));
    }

    @GET
    @Path("/devices/{id}")
    public Device device(@PathParam("id") String id) {
        long key;
        try {
            key = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw Problem.notFound("no such device");
        }
        return tx.read(c -> devices.find(c, key)).orElseThrow(() -> Problem.notFound("no such device"));
    }

    // --- enrollments

    @POST
    @Path("/enrollments")
    public Response createEnrollment(NewEnrollment body) {
        Enrollment e = tx.write(c -> enrollments.create(c, required(body)));
        return created("enrollments/" + e.id(), e);
    }

    @GET
    @Path("/enrollments")
    public List<Enrollment> enrollments(@QueryParam("patientId") String patientId) {
        UUID patient = patientId == null ? null : Fields.uuid("patientId", patientId);
        return tx.read(c -> enrollments.list(c, patient));
    }

    @GET
    @Path("/enrollments/{id}")
    public Enrollment enrollment(@PathParam("id") String id) {
        UUID key = pathId(id);
        return tx.read(c -> enrollments.find(c, key)).orElseThrow(() -> Problem.notFound("no such enrollment"));
    }

    record EndOfEnrollment(OffsetDateTime endedAt) {
    }

    /** Ends follow-up (now, unless {@code endedAt} says when), and ends the enrollment's device assignments with it. */
    @POST
    @Path("/enrollments/{id}/end")
    public Enrollment endEnrollment(@PathParam("id") String id, EndOfEnrollment body) {
        UUID key = pathId(id);
        OffsetDateTime endedAt = Fields.stored(body == null || body.endedAt() == null ? OffsetDateTime.now(clock) : body.endedAt());
        Set<DeviceKey> changed = tx.write(c -> assignments.endEnrollment(c, key, endedAt));
        assignments.announce(changed);
        return tx.read(c -> enrollments.find(c, key)).orElseThrow();
    }

    // --- device assignments

    @POST
    @Path("/enrollments/{id}/assignments")
    public Response assign(@PathParam("id") String id, NewAssignment body) {
        UUID key = pathId(id);
        DeviceAssignment a = tx.write(c -> assignments.create(c, key, required(body)));
        assignments.announce(Set.of(a.key()));
        return created("enrollments/" + key + "/assignments/" + a.id(), a);
    }

    @GET
    @Path("/enrollments/{id}/assignments")
    public List<DeviceAssignment> assignments(@PathParam("id") String id) {
        UUID key = pathId(id);
        return tx.read(c -> {
            if (enrollments.find(c, key).isEmpty()) {
                throw Problem.notFound("no such enrollment");
            }
            return assignments.list(c, key);
        });
    }

    /** Body {@code {"validTo": "..."}}; {@code null} makes the assignment open-ended. */
    @PATCH
    @Path("/enrollments/{id}/assignments/{assignmentId}")
    public DeviceAssignment changeAssignment(@PathParam("id") String id, @PathParam("assignmentId") String assignmentId, JsonNode body) {
        UUID enrollment = pathId(id);
        UUID assignment = pathId(assignmentId);
        if (body == null || !body.isObject() || !body.has("validTo")) {
            throw Problem.malformed("validTo", "validTo is required (null for open-ended)");
        }
        OffsetDateTime validTo = dateTime("validTo", body.get("validTo"));
        DeviceAssignment a = tx.write(c -> assignments.changeValidTo(c, enrollment, assignment, validTo));
        assignments.announce(Set.of(a.key()));
        return a;
    }

    // --- problems

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ProblemBody(String error, String field, List<String> allowed) {
    }

    @ServerExceptionMapper
    public RestResponse<ProblemBody> problem(Problem p) {
        return problem(p.status(), new ProblemBody(p.getMessage(), p.field(), p.allowed()));
    }

    /** Unreadable bodies. Jackson's own message may quote the input (a fødselsnummer, say), so it is never passed on. */
    @ServerExceptionMapper
    public RestResponse<ProblemBody> unreadable(JsonProcessingException e) {
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            String field = path(m.getPath());
            return problem(400, new ProblemBody(field + " has the wrong type or format", field, null));
        }
        return problem(400, new ProblemBody("the body is not valid JSON", null, null));
    }

    /** Quarkus wraps a body it cannot read; the status stays, the body becomes a problem like every other. */
    @ServerExceptionMapper
    public RestResponse<ProblemBody> refused(WebApplicationException e) {
        if (e.getCause() instanceof JsonProcessingException unreadable) {
            return unreadable(unreadable);
        }
        int status = e.getResponse().getStatus();
        String reason = e.getResponse().getStatusInfo().getReasonPhrase();
        return problem(status, new ProblemBody(status == 400 ? "the body is not valid JSON" : reason, null, null));
    }

    private static RestResponse<ProblemBody> problem(int status, ProblemBody body) {
        return RestResponse.ResponseBuilder.<ProblemBody>create(status).entity(body).type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder field = new StringBuilder();
        for (JsonMappingException.Reference r : references) {
            if (r.getFieldName() != null) {
                field.append(field.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                field.append('[').append(r.getIndex()).append(']');
            }
        }
        return field.toString();
    }

    private static <T> T required(T body) {
        if (body == null) {
            throw Problem.malformed(null, "a JSON body is required");
        }
        return body;
    }

    /** An id in the path that is not a UUID names nothing that exists. */
    private static UUID pathId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw Problem.notFound("no such resource");
        }
    }

    private static OffsetDateTime dateTime(String field, JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw Problem.malformed(field, field + " must be an ISO-8601 date-time with offset");
        }
        try {
            return Fields.stored(OffsetDateTime.parse(value.asText()));
        } catch (DateTimeParseException e) {
            throw Problem.malformed(field, field + " must be an ISO-8601 date-time with offset");
        }
    }

    private static Response created(String path, Object entity) {
        return Response.created(URI.create("/api/registry/" + path)).entity(entity).build();
    }
}
