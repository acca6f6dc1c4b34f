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
 * The operator's API for vendors' broker credentials: issue (or rotate), look at, revoke, and export
 * the active ones as a Mosquitto password file. A secret is in one answer only, the one that issued
 * it; nothing here ever shows a hash except the export, which a Mosquitto deployment needs.
 */
@Path("/api/registry")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Registry")
public class MqttCredentialsResource {

    /** Answers carrying a secret or hashes must not linger in a cache on the way. */
    private static final String NO_STORE = "no-store";

    private static final String TYPE = "mqtt-credential";

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
    @Path("/vendors/{id}/mqtt-credentials")
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
    @Path("/vendors/{id}/mqtt-credentials")
    @RolesAllowed("operator")
    @Operation(summary = "A vendor's active broker credential, without its secret (operator)")
    public Active active(@PathParam("id") String vendorId) {
        return tx.read(c -> credentials.active(c, vendorId)).orElseThrow(() -> Problem.notFound("the vendor has no active MQTT credential"));
    }

    @DELETE
    @Path("/vendors/{id}/mqtt-credentials")
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

    /** For {@code password_file} in mosquitto.conf (deploy/mosquitto); add the hub's own line with mosquitto_passwd. */
    @GET
    @Path("/mqtt/mosquitto-passwd")
    @Produces(MediaType.TEXT_PLAIN)
    @RolesAllowed("operator")
    @Operation(summary = "The active vendor credentials as a Mosquitto password file (operator)")
    public Response mosquittoPasswordFile() {
        Caller caller = access.requireAny("export", TYPE, Role.OPERATOR);
        String file = tx.write(c -> {
            String lines = credentials.mosquittoPasswordFile(c);
            access.recordActionIn(c, caller, "export", TYPE, List.of());
            return lines;
        });
        return Response.ok(file, MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).header("Cache-Control", NO_STORE).build();
    }
}
