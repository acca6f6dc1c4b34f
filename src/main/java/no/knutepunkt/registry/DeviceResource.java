package no.knutepunkt.registry;

import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import no.knutepunkt.access.Caller;
import no.knutepunkt.access.Role;
import no.knutepunkt.registry.Devices.Device;
import no.knutepunkt.registry.Devices.NewDevice;

/**
 * Devices, registered by the operator or by the municipality that hands them out. A device alone
 * says nothing of whom it measures; which patient has it is the assignment's business.
 */
@Path("/api/registry/devices")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Registry")
public class DeviceResource {

    private static final String TYPE = "device";

    private final Transactions tx;
    private final Devices devices;
    private final RegistryAccess access;

    DeviceResource(Transactions tx, Devices devices, RegistryAccess access) {
        this.tx = tx;
        this.devices = devices;
        this.access = access;
    }

    @POST
    @Operation(summary = "Register a device (operator, municipality admin)")
    public Response create(NewDevice body) {
        Caller caller = access.requireAny("create", TYPE, Role.OPERATOR, Role.MUNICIPALITY_ADMIN);
        Device d = tx.write(c -> {
            Device created = devices.create(c, Requests.required(body));
            access.recordActionIn(c, caller, "create", TYPE, List.of(Long.toString(created.id())));
            return created;
        });
        return Requests.created("devices/" + d.id(), d);
    }

    @GET
    @Operation(summary = "List devices, or one vendor's (operator, municipality admin)")
    public List<Device> list(@QueryParam("vendorId") String vendorId) {
        access.requireAny("search", TYPE, Role.OPERATOR, Role.MUNICIPALITY_ADMIN);
        return tx.read(c -> devices.list(c, vendorId));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "One device (operator, municipality admin)")
    public Device one(@PathParam("id") String id) {
        access.requireAny("read", TYPE, Role.OPERATOR, Role.MUNICIPALITY_ADMIN);
        long key;
        try {
            key = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw Problem.notFound("no such device");
        }
        return tx.read(c -> devices.find(c, key)).orElseThrow(() -> Problem.notFound("no such device"));
    }
}
