package no.knutepunkt.registry;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Role;
import no.knutepunkt.registry.VendorCredentials.Active;
import no.knutepunkt.registry.VendorCredentials.Issued;

/**
 * The operator's API for a vendor's broker credential: issue (or rotate), look at, revoke. A secret
 * is in one answer only, the one that issued it; nothing here shows a hash.
 */
@Path("/api/registry/vendors/{id}/mqtt-credentials")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Registry")
public class MqttCredentialsResource {

    /** Answers carrying a secret or hashes must not linger in a cache on the way. */
    static final String NO_STORE = "no-store";

    static final String TYPE = "mqtt-credential";

    private final Transactions tx;
    private final VendorCredentials credentials;
    private final RegistryAccess access;

    MqttCredentialsResource(Transactions tx, VendorCredentials credentials, RegistryAccess access) {
        this.tx = tx;
        this.credentials = credentials;
        this.access = access;
    }

    /** A new credential; the vendor's previous one, if any, stops working at once ({@code "replaced": true}). */
    @POST
    @RolesAllowed("operator")
    @Operation(summary = "Issue (or rotate) a vendor's broker credential; the secret is shown only in this answer (operator)")
    public Response issue(@PathParam("id") String vendorId) {
        Caller caller = access.requireAny("create", TYPE, Role.OPERATOR);
        Issued issued = tx.write(c -> {
            Issued made = credentials.issue(c, vendorId);
            access.recordActionIn(c, caller, "create", TYPE, List.of(vendorId));
            return made;
        });
        return Response.created(URI.create("/api/registry/vendors/" + vendorId + "/mqtt-credentials")).entity(issued)
                .header("Cache-Control", NO_STORE).build();
    }

    @GET
    @RolesAllowed("operator")
    @Operation(summary = "A vendor's active broker credential, without its secret (operator)")
    public Active active(@PathParam("id") String vendorId) {
        return tx.read(c -> credentials.active(c, vendorId)).orElseThrow(() -> Problem.notFound("the vendor has no active MQTT credential"));
    }

    @DELETE
    @RolesAllowed("operator")
    @Operation(summary = "Revoke a vendor's broker credential (operator)")
    public Response revoke(@PathParam("id") String vendorId) {
        Caller caller = access.requireAny("delete", TYPE, Role.OPERATOR);
        boolean revoked = tx.write(c -> {
            boolean done = credentials.revoke(c, vendorId);
            if (done) {
                access.recordActionIn(c, caller, "delete", TYPE, List.of(vendorId));
            }
            return done;
        });
        if (!revoked) {
            throw Problem.notFound("the vendor has no active MQTT credential");
        }
        return Response.noContent().build();
    }
}
