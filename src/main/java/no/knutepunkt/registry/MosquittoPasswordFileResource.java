package no.knutepunkt.registry;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Role;

/**
 * The vendors' active broker credentials as a Mosquitto password file, for {@code password_file} in
 * mosquitto.conf (deploy/mosquitto); add the hub's own line with mosquitto_passwd.
 */
@Path("/api/registry/mqtt/mosquitto-passwd")
@Tag(name = "Registry")
public class MosquittoPasswordFileResource {

    private final Transactions tx;
    private final VendorCredentials credentials;
    private final RegistryAccess access;

    MosquittoPasswordFileResource(Transactions tx, VendorCredentials credentials, RegistryAccess access) {
        this.tx = tx;
        this.credentials = credentials;
        this.access = access;
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    @RolesAllowed("operator")
    @Operation(summary = "The active vendor credentials as a Mosquitto password file (operator)")
    public Response mosquittoPasswordFile() {
        Caller caller = access.requireAny("export", MqttCredentialsResource.TYPE, Role.OPERATOR);
        String file = tx.write(c -> {
            String lines = credentials.mosquittoPasswordFile(c);
            access.recordActionIn(c, caller, "export", MqttCredentialsResource.TYPE, List.of());
            return lines;
        });
        return Response.ok(file, MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).header("Cache-Control", MqttCredentialsResource.NO_STORE)
                .build();
    }
}
