package no.knutepunkt.registry;

import java.net.URI;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import no.knutepunkt.registry.RegistryResource.ProblemBody;
import no.knutepunkt.registry.VendorCredentials.Active;
import no.knutepunkt.registry.VendorCredentials.Issued;

/**
 * The operator's API for vendors' broker credentials: issue (or rotate), look at, revoke, and export
 * the active ones as a Mosquitto password file. A secret is in one answer only, the one that issued
 * it; nothing here ever shows a hash except the export, which a Mosquitto deployment needs.
 */
@Path("/api/registry")
@Produces(MediaType.APPLICATION_JSON)
class MqttCredentialsResource {

    /** Answers carrying a secret or hashes must not linger in a cache on the way. */
    private static final String NO_STORE = "no-store";

    private final Transactions tx;
    private final VendorCredentials credentials;

    MqttCredentialsResource(Transactions tx, VendorCredentials credentials) {
        this.tx = tx;
        this.credentials = credentials;
    }

    /** A new credential; the vendor's previous one, if any, stops working at once ({@code "replaced": true}). */
    @POST
    @Path("/vendors/{id}/mqtt-credentials")
    @RolesAllowed("operator")
    public Response issue(@PathParam("id") String vendorId) {
        Issued issued = tx.write(c -> credentials.issue(c, vendorId));
        return Response.created(URI.create("/api/registry/vendors/" + vendorId + "/mqtt-credentials")).entity(issued)
                .header("Cache-Control", NO_STORE).build();
    }

    @GET
    @Path("/vendors/{id}/mqtt-credentials")
    @RolesAllowed("operator")
    public Active active(@PathParam("id") String vendorId) {
        return tx.read(c -> credentials.active(c, vendorId)).orElseThrow(() -> Problem.notFound("the vendor has no active MQTT credential"));
    }

    @DELETE
    @Path("/vendors/{id}/mqtt-credentials")
    @RolesAllowed("operator")
    public Response revoke(@PathParam("id") String vendorId) {
        if (!tx.write(c -> credentials.revoke(c, vendorId))) {
            throw Problem.notFound("the vendor has no active MQTT credential");
        }
        return Response.noContent().build();
    }

    /** For {@code password_file} in mosquitto.conf (deploy/mosquitto); add the hub's own line with mosquitto_passwd. */
    @GET
    @Path("/mqtt/mosquitto-passwd")
    @Produces(MediaType.TEXT_PLAIN)
    @RolesAllowed("operator")
    public Response mosquittoPasswordFile() {
        return Response.ok(tx.read(credentials::mosquittoPasswordFile), MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                .header("Cache-Control", NO_STORE).build();
    }

    /** As RegistryResource answers them (its mappers apply to its own methods only). */
    @ServerExceptionMapper
    public RestResponse<ProblemBody> problem(Problem p) {
        return RestResponse.ResponseBuilder.<ProblemBody>create(p.status()).entity(new ProblemBody(p.getMessage(), p.field(), p.allowed()))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }
}
