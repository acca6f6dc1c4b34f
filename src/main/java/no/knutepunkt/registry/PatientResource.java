package no.knutepunkt.registry;

import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import no.knutepunkt.access.AccessPolicy;
import no.knutepunkt.access.Caller;
import no.knutepunkt.access.DataKind;
import no.knutepunkt.access.Role;
import no.knutepunkt.registry.Patients.NewPatient;
import no.knutepunkt.registry.Patients.Patient;

/**
 * Patients in the registry. A municipality admin registers them (a person already registered,
 * under the same name, is found rather than created twice: someone moving between municipalities,
 * or an upload repeated); everyone sees only the patients the access policy lets them see, and each
 * one shown is audited.
 */
@Path("/api/registry/patients")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Registry")
public class PatientResource {

    private static final String TYPE = "Patient";

    private final Transactions tx;
    private final Patients patients;
    private final RegistryAccess access;

    PatientResource(Transactions tx, Patients patients, RegistryAccess access) {
        this.tx = tx;
        this.patients = patients;
        this.access = access;
    }

    /** 201 when registered now, 200 with the registered patient when the number and names match one, 409 when only the number does. */
    @POST
    @Operation(summary = "Register a patient, or find the one registered with this number and these names (municipality admin)")
    public Response create(NewPatient body) {
        Caller caller = access.requireAny("create", TYPE, Role.MUNICIPALITY_ADMIN);
        AccessPolicy.Granted g = access.policy().register(caller, access.request(), "create", TYPE);
        Patients.Registered r = tx.write(c -> {
            Patients.Registered registered = patients.findOrCreate(c, Requests.required(body));
            access.recordIn(c, g.forNewPatient(registered.patient().id()), registered.created() ? "create" : "match", TYPE,
                    List.of(registered.patient().id().toString()));
            return registered;
        });
        return r.created() ? Requests.created("patients/" + r.patient().id(), r.patient()) : Response.ok(r.patient()).build();
    }

    @GET
    @Operation(summary = "The patients the caller may see: an admin its municipality's, a clinician its care teams', a patient itself")
    public List<Patient> list() {
        Caller caller = access.caller();
        AccessPolicy.Visible visible = access.policy().visibleForAdministration(caller);
        if (visible == AccessPolicy.Visible.NONE && !caller.is(Role.PATIENT)) {
            throw access.policy().deny(caller, null, access.request(), "search", TYPE, "not-allowed-for-role");
        }
        List<Patient> found = tx.read(c -> patients.list(c, visible.on("id"), visible.params()));
        access.policy().recordListed(caller, found.stream().map(Patient::id).toList(), DataKind.DEMOGRAPHICS, access.request(), "search",
                TYPE);
        return found;
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One patient, if the caller may see them (an unknown one and a forbidden one answer alike, 403)")
    public Patient one(@PathParam("id") String id) {
        UUID key;
        try {
            key = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw access.policy().deny(access.caller(), null, access.request(), "read", TYPE, "no-such-patient");
        }
        AccessPolicy.Granted g = access.decide(key, DataKind.DEMOGRAPHICS, "read", TYPE);
        Patient p = tx.read(c -> patients.find(c, key)).orElseThrow();
        access.record(g, "read", TYPE, List.of(key.toString()));
        return p;
    }
}
