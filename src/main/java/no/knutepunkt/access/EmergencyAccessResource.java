package no.knutepunkt.access;

import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.security.identity.SecurityIdentity;

import no.knutepunkt.registry.Directory;
import no.knutepunkt.registry.Transactions;

/** A clinician's emergency access: ask for it with a reason, and see one's own grants in force. */
@Path("/api/access/emergency")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Access")
public class EmergencyAccessResource {

    private final BreakTheGlass breakTheGlass;
    private final EmergencyAccess grants;
    private final Directory directory;
    private final Transactions tx;
    private final SecurityIdentity identity;
    private final CurrentRequest request;
    private final AccessPolicy policy;

    EmergencyAccessResource(BreakTheGlass breakTheGlass, EmergencyAccess grants, Directory directory, Transactions tx,
            SecurityIdentity identity, CurrentRequest request, AccessPolicy policy) {
        this.breakTheGlass = breakTheGlass;
        this.grants = grants;
        this.directory = directory;
        this.tx = tx;
        this.identity = identity;
        this.request = request;
        this.policy = policy;
    }

    /** The patient by {@code patientId} or by {@code patientIdentifier} (fødselsnummer or D-nummer). */
    public record Ask(UUID patientId, String patientIdentifier, String reason) {
    }

    @POST
    @Operation(summary = "Break the glass: time-limited access to a patient outside one's care teams, with a stated reason (clinician)")
    public Response ask(Ask body) {
        Caller caller = Callers.of(identity);
        UUID patient = body == null ? null : body.patientId();
        if (patient == null && body != null && body.patientIdentifier() != null) {
            try {
                patient = directory.facts(null, null, null, body.patientIdentifier().strip()).patientId();
            } catch (SQLException e) {
                throw new no.knutepunkt.common.Unavailable("patient lookup: the database is not reachable", e);
            }
        }
        EmergencyGrant g = breakTheGlass.request(caller, patient, body == null ? null : body.reason(), request.get());
        return Response.status(201).entity(g).build();
    }

    @GET
    @Operation(summary = "My emergency accesses in force (clinician)")
    public List<EmergencyGrant> mine() {
        Caller caller = Callers.of(identity);
        if (!caller.is(Role.CLINICIAN)) {
            throw policy.deny(caller, null, request.get(), "read", "emergency-access", "requires-role-" + Role.CLINICIAN.code());
        }
        return tx.read(c -> grants.inForce(c, caller));
    }
}
